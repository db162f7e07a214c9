//! Copying through the terminal: OSC 52 (`ESC ] 52 ; c ; <base64> BEL`),
//! which works over SSH and in tmux with `set-clipboard on`, with no display
//! server (research/tui.md §2 "Clipboard").

use base64::Engine as _;

/// The most we put on the clipboard in one sequence (terminals cap it too).
pub const MAX_BYTES: usize = 64 * 1024;

/// The escape sequence that sets the system clipboard to `text`.
pub fn osc52(text: &str) -> String {
    let mut end = text.len().min(MAX_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(&text.as_bytes()[..end]);
    format!("\x1b]52;c;{encoded}\x07")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_encodes_the_text_in_base64() {
        assert_eq!(osc52("abc"), "\x1b]52;c;YWJj\x07");
    }
}
