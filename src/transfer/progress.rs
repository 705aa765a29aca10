//! Progress math: a smoothed transfer speed, the time left, how often to report, and how to show sizes and durations.

use std::time::{Duration, Instant};

/// Samples closer together than this are merged: over a few milliseconds a byte count is all
/// buffering noise, and a tiny interval would give a huge, meaningless rate.
const MIN_SAMPLE_GAP: Duration = Duration::from_millis(100);

/// How long the speed takes to follow a change by about 63%: long enough to steady the figure
/// through bursty network writes, short enough to show a real slowdown within seconds.
const TIME_CONSTANT_SECS: f64 = 3.0;

/// A gap between samples longer than this means nothing was moving (an idle queue, not a stall:
/// a stalled transfer is still sampled): the next transfer is measured afresh, not averaged with
/// the idle time and the last transfer's pace.
const IDLE_GAP: Duration = Duration::from_secs(5);

/// A transfer speed, exponentially smoothed over time.
#[derive(Debug, Clone, Default)]
pub struct SpeedMeter {
    /// The last sample used: bytes done so far and when.
    last: Option<(u64, Instant)>,
    /// The smoothed rate; None until two samples far enough apart have been seen.
    rate: Option<f64>,
}

impl SpeedMeter {
    /// A meter with no samples yet.
    pub fn new() -> Self {
        SpeedMeter::default()
    }

    /// Records that `total_bytes` have been moved so far, at `now`. Call it also when nothing
    /// moved, or a stalled transfer would keep showing its old speed.
    pub fn record(&mut self, total_bytes: u64, now: Instant) {
        let Some((last_bytes, last_time)) = self.last else {
            self.last = Some((total_bytes, now));
            return;
        };
        if total_bytes < last_bytes {
            // The count went back: the transfer started over. Measure from here, keeping the rate,
            // which still says how fast the link is.
            self.last = Some((total_bytes, now));
            return;
        }
        let elapsed = now.saturating_duration_since(last_time);
        if elapsed > IDLE_GAP {
            *self = SpeedMeter { last: Some((total_bytes, now)), rate: None };
            return;
        }
        if elapsed < MIN_SAMPLE_GAP {
            // Keep the older sample, so these bytes count towards the next interval.
            return;
        }
        let seconds = elapsed.as_secs_f64();
        let instant_rate = (total_bytes - last_bytes) as f64 / seconds;
        self.rate = Some(match self.rate {
            None => instant_rate,
            // The weight depends on the interval, so irregular samples weigh by the time they cover.
            Some(rate) => rate + (1.0 - (-seconds / TIME_CONSTANT_SECS).exp()) * (instant_rate - rate),
        });
        self.last = Some((total_bytes, now));
    }

    /// The smoothed speed in bytes per second; 0 before two samples at least 100 ms apart.
    pub fn bytes_per_second(&self) -> f64 {
        self.rate.unwrap_or(0.0)
    }

    /// How long `remaining` bytes take at the current speed; None while the speed is 0.
    pub fn eta(&self, remaining: u64) -> Option<Duration> {
        let rate = self.bytes_per_second();
        if rate <= 0.0 || !rate.is_finite() {
            return None;
        }
        // `try_`: a crawl with terabytes left would overflow a Duration.
        Duration::try_from_secs_f64(remaining as f64 / rate).ok()
    }
}

/// Lets progress updates through at most a given number of times a second, so a fast transfer
/// does not flood the UI or the terminal.
#[derive(Debug, Clone)]
pub struct Throttle {
    /// The least time between two updates; None lets only the last update through.
    interval: Option<Duration>,
    /// When the last update went through.
    last: Option<Instant>,
}

impl Throttle {
    /// A throttle letting through `per_second` updates a second; 0 lets only the final one through.
    pub fn new(per_second: u32) -> Self {
        let interval = (per_second > 0).then(|| Duration::from_secs(1) / per_second);
        Throttle { interval, last: None }
    }

    /// Whether an update at `now` should go through. `last` marks the final update, which always
    /// does: a dropped final update would leave a transfer showing 99% forever.
    pub fn due(&mut self, now: Instant, last: bool) -> bool {
        let due = last
            || match (self.interval, self.last) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(interval), Some(previous)) => now.saturating_duration_since(previous) >= interval,
            };
        if due {
            self.last = Some(now);
        }
        due
    }
}

/// Binary units above bytes; 16 EiB is the most a u64 can count.
const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// A size with three significant digits and binary units: "0 B", "999 B", "1.50 KiB", "20.0 MiB",
/// "512 KiB", "1.00 GiB". The number never reaches 1000, so columns keep their width: 1000 bytes
/// is "0.98 KiB".
pub fn format_bytes(bytes: u64) -> String {
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    for unit in UNITS {
        value /= 1024.0;
        // Thresholds are on the rounded figure: 9.996 must print as "10.0", not "10.00".
        if value < 9.995 {
            return format!("{value:.2} {unit}");
        } else if value < 99.95 {
            return format!("{value:.1} {unit}");
        } else if value < 999.5 {
            return format!("{value:.0} {unit}");
        }
    }
    // Unreachable for a u64 (at most 16 EiB), but a figure is better than a panic.
    format!("{value:.0} EiB")
}

/// A duration in the largest two units, rounded to the second: "5 s", "2 min 05 s", "1 h 02 min".
pub fn format_duration(d: Duration) -> String {
    let seconds = d.as_secs().saturating_add(u64::from(d.subsec_millis() >= 500));
    if seconds < 60 {
        format!("{seconds} s")
    } else if seconds < 3600 {
        format!("{} min {:02} s", seconds / 60, seconds % 60)
    } else {
        format!("{} h {:02} min", seconds / 3600, seconds % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    /// The whole queue's meter sees nothing while the queue is idle: a transfer started a minute
    /// later is measured from its own bytes, so the status bar agrees with its row at once.
    #[test]
    fn after_an_idle_minute_the_speed_is_measured_afresh() {
        let start = Instant::now();
        let mut meter = SpeedMeter::new();
        let (now, bytes) = feed(&mut meter, start, 0, 20 * MIB, 10, 100);
        assert!((meter.bytes_per_second() - (20 * MIB) as f64).abs() < MIB as f64);
        let later = now + Duration::from_secs(60);
        meter.record(bytes, later);
        assert_eq!(meter.bytes_per_second(), 0.0, "no pace claimed across the idle minute");
        feed(&mut meter, later, bytes, 4 * MIB, 1, 100);
        let speed = meter.bytes_per_second();
        assert!((speed - (4 * MIB) as f64).abs() < (MIB / 4) as f64, "the new transfer's own pace: {speed}");
    }

    /// Feeds `meter` a transfer at `rate` bytes a second for `seconds`, sampled every `step_ms`,
    /// from `start` with `bytes` already done; returns the new time and byte count.
    fn feed(
        meter: &mut SpeedMeter,
        start: Instant,
        bytes: u64,
        rate: u64,
        seconds: u64,
        step_ms: u64,
    ) -> (Instant, u64) {
        let steps = seconds * 1000 / step_ms;
        let mut now = start;
        let mut done = bytes;
        for _ in 0..steps {
            now += Duration::from_millis(step_ms);
            done += rate * step_ms / 1000;
            meter.record(done, now);
        }
        (now, done)
    }

    fn within(actual: f64, expected: f64, fraction: f64) -> bool {
        (actual - expected).abs() <= expected * fraction
    }

    #[test]
    fn nothing_before_two_samples() {
        let mut meter = SpeedMeter::new();
        assert!(meter.bytes_per_second().abs() < f64::EPSILON);
        assert_eq!(meter.eta(100), None);
        let t0 = Instant::now();
        meter.record(0, t0);
        assert!(meter.bytes_per_second().abs() < f64::EPSILON);
        // Too close to count yet.
        meter.record(1_000, t0 + Duration::from_millis(50));
        assert!(meter.bytes_per_second().abs() < f64::EPSILON);
        // The bytes from the merged sample still count over the full interval.
        meter.record(2_000, t0 + Duration::from_millis(200));
        assert!(within(meter.bytes_per_second(), 10_000.0, 1e-9), "{}", meter.bytes_per_second());
    }

    #[test]
    fn a_constant_rate_is_measured() {
        let mut meter = SpeedMeter::new();
        let t0 = Instant::now();
        meter.record(0, t0);
        // Sampled faster than the minimum gap, at irregular-looking but fixed 30 ms steps.
        feed(&mut meter, t0, 0, 4 * MIB, 10, 30);
        assert!(within(meter.bytes_per_second(), (4 * MIB) as f64, 0.05), "{}", meter.bytes_per_second());
    }

    #[test]
    fn bursts_are_smoothed() {
        let mut meter = SpeedMeter::new();
        let t0 = Instant::now();
        meter.record(0, t0);
        let (mut now, mut done) = feed(&mut meter, t0, 0, MIB, 5, 100);
        // Alternate a full burst and nothing: the average stays 1 MiB/s and so should the figure.
        for step in 0..100 {
            now += Duration::from_millis(100);
            done += if step % 2 == 0 { 2 * MIB / 10 } else { 0 };
            meter.record(done, now);
            assert!(within(meter.bytes_per_second(), MIB as f64, 0.10), "{}", meter.bytes_per_second());
        }
    }

    #[test]
    fn a_rate_change_is_followed() {
        let mut meter = SpeedMeter::new();
        let t0 = Instant::now();
        meter.record(0, t0);
        let (now, done) = feed(&mut meter, t0, 0, MIB, 10, 100);
        assert!(within(meter.bytes_per_second(), MIB as f64, 0.05));
        let (now, done) = feed(&mut meter, now, done, 5 * MIB, 1, 100);
        // After a second it is on its way, neither stuck nor jumped.
        let rate = meter.bytes_per_second();
        assert!(rate > 1.5 * MIB as f64 && rate < 4.0 * MIB as f64, "{rate}");
        feed(&mut meter, now, done, 5 * MIB, 14, 100);
        assert!(within(meter.bytes_per_second(), (5 * MIB) as f64, 0.05), "{}", meter.bytes_per_second());
    }

    #[test]
    fn a_restart_keeps_the_rate() {
        let mut meter = SpeedMeter::new();
        let t0 = Instant::now();
        meter.record(0, t0);
        let (now, _) = feed(&mut meter, t0, 0, MIB, 10, 100);
        meter.record(0, now + Duration::from_millis(100));
        assert!(within(meter.bytes_per_second(), MIB as f64, 0.05));
        feed(&mut meter, now + Duration::from_millis(100), 0, MIB, 2, 100);
        assert!(within(meter.bytes_per_second(), MIB as f64, 0.05));
    }

    #[test]
    fn eta_follows_the_rate() {
        let mut meter = SpeedMeter::new();
        let t0 = Instant::now();
        meter.record(0, t0);
        feed(&mut meter, t0, 0, MIB, 10, 100);
        let eta = meter.eta(30 * MIB).unwrap();
        assert!(eta > Duration::from_secs(29) && eta < Duration::from_secs(31), "{eta:?}");
        assert_eq!(meter.eta(0), Some(Duration::ZERO));
        // A stall brings the speed, and so the ETA, along.
        let mut stalled = SpeedMeter::new();
        stalled.record(0, t0);
        stalled.record(0, t0 + Duration::from_secs(1));
        assert_eq!(stalled.eta(10), None);
    }

    #[test]
    fn throttle_allows_ten_a_second_and_always_the_last() {
        let mut throttle = Throttle::new(10);
        let t0 = Instant::now();
        let mut per_second = [0u32; 5];
        // An update every 7 ms for five simulated seconds.
        for ms in (0..5_000).step_by(7) {
            if throttle.due(t0 + Duration::from_millis(ms), false) {
                per_second[(ms / 1000) as usize] += 1;
            }
        }
        for count in per_second {
            assert!((9..=10).contains(&count), "{per_second:?}");
        }
        // Right after a passed update, a normal one waits but the last one goes through.
        let end = t0 + Duration::from_millis(6_000);
        assert!(throttle.due(end, false));
        assert!(!throttle.due(end + Duration::from_millis(1), false));
        assert!(throttle.due(end + Duration::from_millis(2), true));
        assert!(throttle.due(end + Duration::from_millis(2), true));
    }

    #[test]
    fn a_sliding_second_never_holds_more_than_the_limit() {
        let mut throttle = Throttle::new(10);
        let t0 = Instant::now();
        let passed: Vec<u64> = (0..3_000).filter(|&ms| throttle.due(t0 + Duration::from_millis(ms), false)).collect();
        for window in passed.windows(11) {
            assert!(window[10] - window[0] >= 1_000, "{window:?}");
        }
    }

    #[test]
    fn zero_per_second_lets_only_the_last_through() {
        let mut throttle = Throttle::new(0);
        let t0 = Instant::now();
        assert!(!throttle.due(t0, false));
        assert!(!throttle.due(t0 + Duration::from_secs(10), false));
        assert!(throttle.due(t0 + Duration::from_secs(11), true));
    }

    #[test]
    fn bytes_read_well() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(1), "1 B");
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(1000), "0.98 KiB");
        assert_eq!(format_bytes(1024), "1.00 KiB");
        assert_eq!(format_bytes(1536), "1.50 KiB");
        assert_eq!(format_bytes(10 * 1024 - 1), "10.0 KiB");
        assert_eq!(format_bytes(512 * 1024), "512 KiB");
        assert_eq!(format_bytes(1023 * 1024), "1.00 MiB");
        assert_eq!(format_bytes(20 * MIB), "20.0 MiB");
        assert_eq!(format_bytes(1024 * MIB), "1.00 GiB");
        assert_eq!(format_bytes(1536 * MIB), "1.50 GiB");
        assert_eq!(format_bytes(u64::MAX), "16.0 EiB");
        for shift in 0..64 {
            let text = format_bytes(1u64 << shift);
            let number = text.split(' ').next().unwrap();
            let digits = number.chars().filter(char::is_ascii_digit).count();
            assert!(number.parse::<f64>().unwrap() < 1000.0, "{text}");
            assert!(shift < 10 || digits == 3, "{text}");
        }
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(Duration::ZERO), "0 s");
        assert_eq!(format_duration(Duration::from_secs(5)), "5 s");
        assert_eq!(format_duration(Duration::from_millis(5_600)), "6 s");
        assert_eq!(format_duration(Duration::from_secs(59)), "59 s");
        assert_eq!(format_duration(Duration::from_secs(60)), "1 min 00 s");
        assert_eq!(format_duration(Duration::from_secs(125)), "2 min 05 s");
        assert_eq!(format_duration(Duration::from_millis(3_599_600)), "1 h 00 min");
        assert_eq!(format_duration(Duration::from_secs(3_720)), "1 h 02 min");
        assert_eq!(format_duration(Duration::from_secs(100 * 3600 + 59)), "100 h 00 min");
        assert_eq!(format_duration(Duration::MAX), format!("{} h 00 min", u64::MAX / 3600));
    }
}
