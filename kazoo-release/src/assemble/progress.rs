//! A progress bar for copies that take more than a moment: hidden at first, drawn only on a
//! terminal and only once half a second has passed, so quick builds and logs stay quiet.

use std::io::IsTerminal;
use std::sync::Once;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const SHOW_AFTER: Duration = Duration::from_millis(500);

pub(crate) struct Progress {
    bar: ProgressBar,
    started: Instant,
    on_terminal: bool,
    shown: Once,
}

impl Progress {
    /// A bar over `total` bytes.
    pub fn new(total: u64) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message("copying");
        Progress { bar, started: Instant::now(), on_terminal: std::io::stderr().is_terminal(), shown: Once::new() }
    }

    pub fn advance(&self, bytes: u64) {
        if self.on_terminal && self.started.elapsed() >= SHOW_AFTER {
            self.shown.call_once(|| self.bar.set_draw_target(ProgressDrawTarget::stderr()));
        }
        self.bar.inc(bytes);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
