//! The widths of a pane's columns: the ones the user dragged are remembered (in the pane's view
//! settings, saved with the window) and given back to the table at the next start and whenever
//! the pane's width changes, when Name takes what is left again.

use egui_extras::Column;

/// The column after Name at `index` (0 is Size): the width the user gave it last time, or
/// `default`; never narrower than `min`.
pub(super) fn sized(saved: &[u32], index: usize, default: f32, min: f32) -> Column {
    let width = saved.get(index).map_or(default, |&width| width as f32).max(min);
    Column::initial(width).at_least(min).clip(true)
}

/// The widths to remember from the ones the table used this frame: every column but Name (the
/// first), which takes what is left, in whole points.
pub(super) fn to_remember(used: &[f32]) -> Vec<u32> {
    used.iter().skip(1).map(|width| width.round().max(0.0) as u32).collect()
}

/// Whether the table is `width` points wide for the first time: on the first frame, or after the
/// window or the pane split changed. Remembered under `id` in egui's memory.
pub(super) fn width_changed(ctx: &egui::Context, id: egui::Id, width: f32) -> bool {
    let last = ctx.data_mut(|data| {
        let last = data.get_temp::<f32>(id);
        data.insert_temp(id, width);
        last
    });
    last.is_none_or(|last| (last - width).abs() >= 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_not_remembered_and_widths_are_whole_points() {
        assert_eq!(to_remember(&[300.4, 80.0, 121.6]), vec![80, 122]);
        assert!(to_remember(&[]).is_empty());
    }
}
