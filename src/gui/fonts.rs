//! Fonts: egui's own first, then the system's (found through fontconfig) for what egui's lack.
//!
//! egui ships fonts for Latin, Greek and Cyrillic only, so a file named in Chinese, Japanese,
//! Korean or Arabic, or holding a ✓ or an arrow, would be drawn as boxes. egui's own system font
//! provider asks the system's fallback (fontconfig on Linux) for a font that has a character
//! only when a character is first missing, so start-up does not wait for it: the fonts are
//! enumerated on a background thread and the font files are memory-mapped, not copied. egui's
//! fonts stay first, so the window looks the same wherever they suffice; where the system has
//! no font at all, nothing is found and the window still starts with egui's.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use egui::epaint::text::{FallbackRequest, FontInsert, FontProvider};

/// Adds the system's fonts as fallbacks after egui's, for every font family the window uses.
pub fn add_system_fallbacks(ctx: &egui::Context) {
    ctx.add_font_provider(Arc::new(SystemFallbacks::default()));
}

/// egui's system font provider, made safe for a system without fonts: there the font library
/// under it panics while it enumerates (on its own thread) and again at each lookup. A failed
/// lookup turns the fallbacks off for the rest of the run; the window keeps egui's fonts.
#[derive(Default)]
struct SystemFallbacks {
    system: egui_system_font_provider::SystemFontProvider,
    failed: AtomicBool,
}

impl FontProvider for SystemFallbacks {
    fn font_for(&self, request: &FallbackRequest<'_>) -> Option<FontInsert> {
        if self.failed.load(Ordering::Relaxed) {
            return None;
        }
        match catch_unwind(AssertUnwindSafe(|| self.system.font_for(request))) {
            Ok(found) => found,
            Err(_) => {
                self.failed.store(true, Ordering::Relaxed);
                log::warn!("the system's fonts could not be read; only the built-in fonts are used");
                None
            }
        }
    }
}

/// Whether the window's fonts, system fallbacks included, can draw every character of `text`
/// (the proportional font the panes use).
pub fn can_draw(ctx: &egui::Context, text: &str) -> bool {
    ctx.fonts_mut(|fonts| fonts.has_glyphs(&egui::FontId::proportional(14.0), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names as a user's folders hold them: Chinese, Japanese, Korean, Cyrillic, Arabic, symbols.
    const NAMES: &str = "报告 日本語 한국어 Привет العربية ✓ → ←";

    /// A context with the system fallbacks, after a first pass (providers start at a pass).
    fn context_with_fallbacks() -> egui::Context {
        let ctx = egui::Context::default();
        add_system_fallbacks(&ctx);
        pass(&ctx, |_| {});
        ctx
    }

    /// One pass of the UI, its texture changes dropped (no painter here).
    fn pass(ctx: &egui::Context, mut ui: impl FnMut(&mut egui::Ui)) {
        let mut output = ctx.run_ui(egui::RawInput::default(), |inner| ui(inner));
        output.textures_delta.clear();
    }

    #[test]
    fn egui_alone_cannot_draw_cjk_but_draws_latin_and_cyrillic() {
        let ctx = egui::Context::default();
        pass(&ctx, |_| {});
        assert!(can_draw(&ctx, "Hello Привет"));
        assert!(!can_draw(&ctx, "日本語"), "egui's bundled fonts have no CJK: the system's are needed");
    }

    /// The machine's own fonts (the test setup installs Noto CJK and DejaVu) draw every name.
    #[test]
    fn with_the_system_fonts_every_script_and_symbol_is_drawn() {
        if std::env::var_os(NO_FONTS).is_some() {
            return;
        }
        let ctx = context_with_fallbacks();
        for c in NAMES.chars().filter(|c| !c.is_whitespace()) {
            assert!(can_draw(&ctx, &c.to_string()), "no font draws {c:?} ({:04X})", c as u32);
        }
    }

    const NO_FONTS: &str = "FERRY_TEST_NO_SYSTEM_FONTS";

    /// Run again in a child process whose fontconfig knows no font folder at all: the fonts are
    /// egui's, unchanged, and nothing panics or waits.
    #[test]
    fn with_no_system_fonts_at_all_egui_fonts_remain() {
        if std::env::var_os(NO_FONTS).is_none() {
            let dir = tempfile::tempdir().expect("temporary folder");
            let config = dir.path().join("fonts.conf");
            std::fs::write(&config, "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n").expect("write fonts.conf");
            let exe = std::env::current_exe().expect("test binary");
            let output = std::process::Command::new(exe)
                .args(["--exact", "gui::fonts::tests::with_no_system_fonts_at_all_egui_fonts_remain", "--nocapture"])
                .env(NO_FONTS, "1")
                .env("FONTCONFIG_FILE", &config)
                .env("FONTCONFIG_PATH", dir.path())
                .env("XDG_DATA_HOME", dir.path())
                .env("HOME", dir.path())
                .output()
                .expect("run the test again");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "child failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
            assert!(stdout.contains("1 passed"), "the child ran no test: {stdout}");
            return;
        }
        let ctx = context_with_fallbacks();
        assert!(can_draw(&ctx, "Hello Привет"), "egui's own fonts are still there");
        assert!(!can_draw(&ctx, "日本語"), "this child was meant to see no system font");
        // Laying out the names draws replacement boxes, without a panic.
        pass(&ctx, |ui| {
            ui.label(NAMES);
        });
    }
}
