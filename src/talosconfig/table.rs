//! The `config contexts` table (`cmd/talosctl/cmd/talos/config.go:358-401`) and the Go
//! `text/tabwriter` layout it is printed with.
//!
//! talosctl writes `CURRENT\tNAME\tENDPOINTS\tNODES` and one row per context (names in byte order,
//! `*` marks the current one, endpoints joined with `,`, at most three nodes then `...`) through
//! `tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)`. [`tabwrite`] reproduces that writer: cells are
//! tab-terminated, a column block is a run of consecutive lines that have a cell in that column,
//! each cell of a block is padded with spaces to the block's widest cell (counted in characters)
//! plus the padding, and the text after a line's last tab is not part of any column
//! (go `src/text/tabwriter/tabwriter.go`, `format` and `writeLines`).

use super::Config;

/// The padding talosctl gives its tabwriter.
const PADDING: usize = 3;

/// Most nodes shown per row before `...` (`config.go:389-393`).
const MAX_NODES: usize = 3;

impl Config {
    /// The `config contexts` table, exactly as talosctl prints it.
    pub fn contexts_table(&self) -> String {
        let mut text = String::from("CURRENT\tNAME\tENDPOINTS\tNODES\n");
        for name in self.sorted_names() {
            let Some(ctx) = self.get(name) else { continue };
            let current = if name == self.context { "*" } else { "" };
            let endpoints = ctx.endpoints.join(",");
            let nodes = match ctx.nodes.get(..MAX_NODES) {
                Some(first) if ctx.nodes.len() > MAX_NODES => format!("{}...", first.join(",")),
                _ => ctx.nodes.join(","),
            };
            text.push_str(&format!("{current}\t{name}\t{endpoints}\t{nodes}\n"));
        }
        tabwrite(&text, PADDING)
    }
}

/// Lay out `text` as Go's `tabwriter.NewWriter(w, 0, 0, padding, ' ', 0)` followed by `Flush`.
pub fn tabwrite(text: &str, padding: usize) -> String {
    // Lines of cells; the last element of each line is the unterminated trailing text.
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut widths = Vec::new();
    format_block(&lines, 0, lines.len(), &mut widths, padding, &mut out);
    out
}

fn cell_width(cell: &str) -> usize {
    cell.chars().count()
}

/// Go's `Writer.format`: find column blocks in `column = widths.len()` and recurse.
fn format_block(
    lines: &[Vec<&str>],
    line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut start = line0;
    let mut this = line0;
    while this < line1 {
        let has_cell = |i: usize| lines.get(i).is_some_and(|l| column + 1 < l.len());
        if !has_cell(this) {
            this += 1;
            continue;
        }
        write_lines(lines, start, this, widths, out);
        let block_start = this;
        let mut width = 0;
        while this < line1 && has_cell(this) {
            let w = lines
                .get(this)
                .and_then(|l| l.get(column))
                .map_or(0, |c| cell_width(c));
            width = width.max(w + padding);
            this += 1;
        }
        widths.push(width);
        format_block(lines, block_start, this, widths, padding, out);
        widths.pop();
        start = this;
    }
    write_lines(lines, start, line1, widths, out);
}

/// Go's `Writer.writeLines`: cells padded to their column width, a newline after every line but
/// the last (which is the text after the final newline, usually empty).
fn write_lines(
    lines: &[Vec<&str>],
    line0: usize,
    line1: usize,
    widths: &[usize],
    out: &mut String,
) {
    for i in line0..line1 {
        let Some(line) = lines.get(i) else { continue };
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if let Some(&w) = widths.get(j) {
                if j + 1 < line.len() {
                    out.extend(std::iter::repeat_n(' ', w.saturating_sub(cell_width(cell))));
                }
            }
        }
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_pads_each_column_block() {
        assert_eq!(
            tabwrite("a\tbb\tc\nccc\td\te\n", 3),
            "a     bb   c\nccc   d    e\n"
        );
        // Trailing text is not padded; a line with fewer cells ends the block.
        assert_eq!(tabwrite("a\tb\nlong\nx\ty\n", 1), "a b\nlong\nx y\n");
        // Widths count characters, not bytes.
        assert_eq!(tabwrite("é\tx\nab\ty\n", 1), "é  x\nab y\n");
    }

    #[test]
    fn empty_table_is_the_header() {
        assert_eq!(
            Config::empty().contexts_table(),
            "CURRENT   NAME   ENDPOINTS   NODES\n"
        );
    }
}
