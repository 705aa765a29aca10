//! How a bandwidth limit is written: `500K`, `2M`, `1.5M`, `800k`, or plain bytes a second
//! (K = 1024), as curl's and wget's `--limit-rate` take it.

/// The slowest limit taken: below it, a transfer would look stalled to the checks that catch a
/// server sending nothing (a kilobyte in each idle window).
pub const SLOWEST: u64 = 1024;

/// Reads a rate in bytes a second. Refuses what is not a positive number with an optional `K`,
/// `M` or `G` (and an optional `B` or `/s` after it), rates under 1K, and rates too large to count.
pub fn parse_rate(text: &str) -> Result<u64, String> {
    let cleaned = text.trim();
    let lower = cleaned.to_ascii_lowercase();
    let lower = lower.strip_suffix("/s").unwrap_or(&lower);
    let lower = lower.strip_suffix('b').unwrap_or(lower);
    let (number, unit) = match lower.char_indices().last() {
        Some((at, 'k')) => (&lower[..at], 1u64 << 10),
        Some((at, 'm')) => (&lower[..at], 1 << 20),
        Some((at, 'g')) => (&lower[..at], 1 << 30),
        _ => (lower, 1),
    };
    let plain = || format!("{:?} is not a rate: write bytes a second, like 500K, 2M or 1.5M (K = 1024)", cleaned);
    let number = number.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(plain());
    }
    let value: f64 = number.parse().map_err(|_| plain())?;
    let bytes = value * unit as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(format!("{cleaned:?} is more than any connection carries: leave the limit out instead"));
    }
    let bytes = bytes.round() as u64;
    if bytes < SLOWEST {
        return Err(format!("{cleaned:?} is too slow: the slowest limit is 1K (1024 bytes a second)"));
    }
    Ok(bytes)
}

/// A rate as a person reads it: `200 KiB/s`, `1.5 MiB/s`.
pub fn format_rate(bytes_per_second: u64) -> String {
    format!("{}/s", super::progress::format_bytes(bytes_per_second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_as_curl_writes_them() {
        assert_eq!(parse_rate("500K"), Ok(500 * 1024));
        assert_eq!(parse_rate("800k"), Ok(800 * 1024));
        assert_eq!(parse_rate("2M"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_rate("1.5M"), Ok(1024 * 1024 * 3 / 2));
        assert_eq!(parse_rate("1G"), Ok(1 << 30));
        assert_eq!(parse_rate("250000"), Ok(250_000));
        assert_eq!(parse_rate(" 200KB/s "), Ok(200 * 1024));
    }

    #[test]
    fn nonsense_zero_negative_and_huge_rates_are_refused_in_plain_words() {
        for text in ["", "K", "fast", "-5K", "1e9", "1..5M", "2MM", "0", "0K", "100", "NaN", "inf", "5 M B X"] {
            let error = parse_rate(text).expect_err(text);
            assert!(!error.is_empty() && !error.contains("ParseFloat"), "{text}: {error}");
        }
        assert!(parse_rate("0").unwrap_err().contains("too slow"));
        assert!(parse_rate("99999999999999999999G").unwrap_err().contains("more than any"));
        assert!(parse_rate("18446744073709551615").unwrap_err().contains("more than any"));
        assert!(parse_rate("\u{1b}[31m5K").unwrap_err().contains("\\u{1b}"), "control characters are escaped");
    }
}
