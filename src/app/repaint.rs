//! How the worker's events wake the window: answers, questions and state changes are drawn at
//! once; progress alone at a few frames a second, since a bar moving four times a second reads
//! as well as one moving sixty times, and drawing costs far more than moving the bytes.

use std::sync::Arc;
use std::time::Duration;

use crate::worker::{Wake, Waker};

/// The longest progress waits to be drawn; at most this many frames a second come from progress.
pub(super) const PROGRESS_FRAME_EVERY: Duration = Duration::from_millis(250);

/// The waker the worker calls after each event. Progress asks for a frame "within a quarter of a
/// second": egui keeps the earliest frame asked for and forgets the rest once it has drawn, so
/// any number of progress events between two frames cost one frame. User input is not
/// affected: egui draws it at once on its own.
pub(super) fn waker(ctx: egui::Context) -> Waker {
    Arc::new(move |wake| match wake {
        Wake::Now => ctx.request_repaint(),
        Wake::Progress => ctx.request_repaint_after(PROGRESS_FRAME_EVERY),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Drives an egui context as the window's event loop does, on a simulated clock in
    /// milliseconds: a frame runs when the earliest one asked for (through the repaint callback
    /// or by the last frame's output) is due. `wake_at` says which milliseconds bring an event,
    /// and of what kind. Returns the number of frames drawn.
    fn frames_drawn(milliseconds: u64, wake_at: impl Fn(u64) -> Option<Wake>) -> usize {
        let ctx = egui::Context::default();
        let now = Arc::new(Mutex::new(0u64));
        let due: Arc<Mutex<Option<u64>>> = Arc::new(Mutex::new(Some(0)));
        {
            let (now, due) = (now.clone(), due.clone());
            ctx.set_request_repaint_callback(move |info| {
                let at = *now.lock().unwrap_or_else(|e| e.into_inner()) + info.delay.as_millis() as u64;
                let mut due = due.lock().unwrap_or_else(|e| e.into_inner());
                *due = Some(due.map_or(at, |earlier| earlier.min(at)));
            });
        }
        let wake = waker(ctx.clone());
        // Settle the first frames egui always draws, so only the events' frames are counted.
        for _ in 0..3 {
            ctx.run_ui(egui::RawInput::default(), |_| {}).textures_delta.clear();
        }
        *due.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let mut frames = 0;
        for ms in 0..milliseconds {
            *now.lock().unwrap_or_else(|e| e.into_inner()) = ms;
            if let Some(kind) = wake_at(ms) {
                wake(kind);
            }
            let is_due = due.lock().unwrap_or_else(|e| e.into_inner()).is_some_and(|at| at <= ms);
            if is_due {
                *due.lock().unwrap_or_else(|e| e.into_inner()) = None;
                let input = egui::RawInput { time: Some(ms as f64 / 1000.0), ..Default::default() };
                let mut output = ctx.run_ui(input, |_| {});
                // No renderer here to take the font textures.
                output.textures_delta.clear();
                frames += 1;
                let delay = output.viewport_output.get(&egui::ViewportId::ROOT).map(|viewport| viewport.repaint_delay);
                if let Some(delay) = delay.filter(|delay| *delay < Duration::MAX) {
                    let at = ms + delay.as_millis() as u64;
                    let mut due = due.lock().unwrap_or_else(|e| e.into_inner());
                    *due = Some(due.map_or(at, |earlier| earlier.min(at)));
                }
            }
        }
        frames
    }

    #[test]
    fn progress_alone_draws_at_most_five_frames_a_second() {
        // Eight transfers' progress and the totals: an event every 5 ms for ten seconds.
        let frames = frames_drawn(10_000, |ms| (ms % 5 == 0).then_some(Wake::Progress));
        assert!(frames <= 10 * 5, "{frames} frames in 10 s of progress");
        assert!(frames >= 10 * 3, "progress is still drawn a few times a second: {frames} frames in 10 s");
    }

    #[test]
    fn an_answer_among_progress_is_drawn_at_once() {
        // Progress every 5 ms, and one answer at 1000 ms: a frame runs in that very millisecond.
        let with_answer = frames_drawn(1_001, |ms| match ms {
            1_000 => Some(Wake::Now),
            _ => (ms % 5 == 0).then_some(Wake::Progress),
        });
        let without = frames_drawn(1_001, |ms| (ms % 5 == 0).then_some(Wake::Progress));
        assert!(with_answer > without, "the answer got a frame of its own ({with_answer} vs {without})");
    }
}
