//! Figures in the terminal: inline images where the terminal has an image
//! protocol (kitty's graphics protocol, iTerm2's inline images, sixel),
//! Unicode text elsewhere, sized to the terminal.
//!
//! The protocol is read from the environment (terminals announce themselves
//! in `TERM`, `TERM_PROGRAM`, `KITTY_WINDOW_ID`, `LC_TERMINAL`);
//! `TESSERA_IMAGES=kitty|iterm|sixel|none` overrides what is found.

use base64::Engine as _;
use std::io::IsTerminal;
use tessera_lang::{display, Figure, Figures, PlotMode, Sink, StdSink, Value};

/// An inline image protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Kitty,
    ITerm,
    Sixel,
}

/// The image protocol of the terminal described by these environment variables.
pub fn protocol_from(var: impl Fn(&str) -> Option<String>) -> Option<Protocol> {
    match var("TESSERA_IMAGES").as_deref() {
        Some("kitty") => return Some(Protocol::Kitty),
        Some("iterm") => return Some(Protocol::ITerm),
        Some("sixel") => return Some(Protocol::Sixel),
        Some(_) => return None,
        None => {}
    }
    let term = var("TERM").unwrap_or_default();
    let program = var("TERM_PROGRAM").unwrap_or_default();
    if var("KITTY_WINDOW_ID").is_some() || term == "xterm-kitty" || term == "xterm-ghostty" {
        Some(Protocol::Kitty)
    } else if program == "iTerm.app" || program == "WezTerm" || var("LC_TERMINAL").as_deref() == Some("iTerm2") {
        Some(Protocol::ITerm)
    } else if term.contains("sixel") || term.starts_with("foot") || term == "mlterm" || program == "mlterm" {
        Some(Protocol::Sixel)
    } else {
        None
    }
}

/// The escape sequence that draws `fig` in a terminal speaking `protocol`.
pub fn image(fig: &Figure, protocol: Protocol) -> Result<String, String> {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    match protocol {
        Protocol::Kitty => {
            // A PNG (f=100), transmitted and shown at once (a=T), in chunks of at most 4096 bytes.
            let data = b64(&fig.png().map_err(|e| e.to_string())?);
            let chunks: Vec<&[u8]> = data.as_bytes().chunks(4096).collect();
            let mut out = String::new();
            for (k, chunk) in chunks.iter().enumerate() {
                let more = u8::from(k + 1 < chunks.len());
                let head = if k == 0 { format!("a=T,f=100,m={more}") } else { format!("m={more}") };
                out.push_str(&format!("\x1b_G{head};{}\x1b\\", std::str::from_utf8(chunk).expect("base64 is ASCII")));
            }
            Ok(out + "\n")
        }
        Protocol::ITerm => {
            let png = fig.png().map_err(|e| e.to_string())?;
            Ok(format!("\x1b]1337;File=inline=1;size={};preserveAspectRatio=1:{}\x07\n", png.len(), b64(&png)))
        }
        Protocol::Sixel => {
            let rgb = fig.rgb().map_err(|e| e.to_string())?;
            let rgba: Vec<u8> = rgb.chunks(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
            let (w, h) = fig.size;
            let image = icy_sixel::SixelImage::from_rgba(rgba, w as usize, h as usize);
            image.encode().map(|s| s + "\n").map_err(|e| e.to_string())
        }
    }
}

/// The terminal's `(columns, rows)`, or 80 × 24 when it cannot be asked.
fn size() -> (usize, usize) {
    terminal_size::terminal_size().map_or((80, 24), |(w, h)| (w.0 as usize, h.0 as usize))
}

/// What the REPL writes to show `fig`: an image, text filling the terminal's
/// width (and at most its height less the prompt), or the summary line.
pub fn show(fig: &Figure, mode: PlotMode) -> String {
    let tty = std::io::stdout().is_terminal();
    if mode == PlotMode::Inline && tty {
        if let Some(p) = protocol_from(|k| std::env::var(k).ok()) {
            match image(fig, p) {
                Ok(escape) => return escape,
                Err(e) => return format!("{} (cannot be drawn: {e})\n", fig.summary()),
            }
        }
    }
    if mode == PlotMode::Off {
        return fig.summary() + "\n";
    }
    let (cols, rows) = size();
    let (cols, rows) = (cols.clamp(20, 160), (rows.saturating_sub(2)).clamp(8, cols / 3 + 2));
    fig.text(cols, rows, tty).unwrap_or_else(|e| format!("{} (cannot be drawn: {e})\n", fig.summary()))
}

/// What the terminal shows for a value: figures drawn, the rest as text.
pub fn render(value: &Value, mode: PlotMode) -> String {
    match value {
        Value::Figure(f) => show(f, mode),
        other => display::plain(other) + "\n",
    }
}

/// The terminal's sink: standard output and error, with figures drawn.
pub struct Terminal;

impl Sink for Terminal {
    fn stdout(&mut self, text: &str) {
        StdSink.stdout(text);
    }
    fn stderr(&mut self, text: &str) {
        StdSink.stderr(text);
    }
    fn display(&mut self, value: &Value, figures: Figures) {
        self.stdout(&render(value, figures.plot));
    }
    fn page(&mut self, text: &str) {
        StdSink.page(text);
    }
    fn clear_output(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn terminals_are_recognised_by_what_they_announce() {
        assert_eq!(protocol_from(env(&[("TERM", "xterm-kitty")])), Some(Protocol::Kitty));
        assert_eq!(protocol_from(env(&[("KITTY_WINDOW_ID", "1"), ("TERM", "xterm")])), Some(Protocol::Kitty));
        assert_eq!(protocol_from(env(&[("TERM_PROGRAM", "iTerm.app")])), Some(Protocol::ITerm));
        assert_eq!(protocol_from(env(&[("TERM", "foot")])), Some(Protocol::Sixel));
        assert_eq!(protocol_from(env(&[("TERM", "xterm-256color")])), None);
        assert_eq!(protocol_from(env(&[("TERM", "xterm-kitty"), ("TESSERA_IMAGES", "none")])), None);
        assert_eq!(protocol_from(env(&[("TESSERA_IMAGES", "sixel")])), Some(Protocol::Sixel));
    }

    fn figure() -> Figure {
        match tessera_lang::Session::new().execute("heatmap(eye(3))", &mut tessera_lang::NullSink) {
            Ok(Some(tessera_lang::Value::Figure(f))) => (*f).clone(),
            _ => panic!("heatmap(eye(3)) is a figure"),
        }
    }

    #[test]
    fn kitty_images_are_a_png_in_chunks_of_4096() {
        let out = image(&figure(), Protocol::Kitty).unwrap();
        let chunks: Vec<&str> = out.trim_end().split("\x1b\\").filter(|c| !c.is_empty()).collect();
        assert!(chunks.len() > 1, "a 640×480 PNG takes several chunks");
        assert!(chunks[0].starts_with("\x1b_Ga=T,f=100,m=1;"));
        assert!(chunks.last().unwrap().starts_with("\x1b_Gm=0;"));
        let payload: String = chunks.iter().map(|c| c.split_once(';').unwrap().1).collect();
        assert!(chunks.iter().all(|c| c.split_once(';').unwrap().1.len() <= 4096));
        let png = base64::engine::general_purpose::STANDARD.decode(payload).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn iterm_and_sixel_images_are_framed_as_their_protocols_say() {
        let iterm = image(&figure(), Protocol::ITerm).unwrap();
        assert!(iterm.starts_with("\x1b]1337;File=inline=1;size=") && iterm.ends_with("\x07\n"));
        let sixel = image(&figure(), Protocol::Sixel).unwrap();
        // DCS ... q <data> ST, and the raster attributes give the size.
        assert!(sixel.starts_with("\x1bP") && sixel.trim_end().ends_with("\x1b\\"), "{:?}", &sixel[..20]);
        assert!(sixel.contains("\"1;1;640;480"), "{:?}", &sixel[..40]);
    }
}
