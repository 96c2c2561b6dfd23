//! Source files of a topology and byte spans into them.
//!
//! Every file gatehouse reads for a topology (HCL, policy XML) is added to [`Sources`] and gets a
//! [`FileId`]. A [`Span`] is a byte range in one file; line and column are computed on demand so
//! that the model stays small. This module does no IO: the CLI reads the files and hands them in.

use std::fmt;
use std::ops::Range;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range `start..end` (end exclusive) in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    /// An empty span at the start of a file, for findings about a whole file.
    pub fn file_start(file: FileId) -> Span {
        Span {
            file,
            start: 0,
            end: 0,
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// A sub-span at `range` relative to the start of `self`, clamped to `self`.
    pub fn slice(self, range: Range<usize>) -> Span {
        let len = (self.end - self.start) as usize;
        let start = range.start.min(len) as u32;
        let end = range.end.clamp(range.start, len) as u32;
        Span {
            file: self.file,
            start: self.start + start,
            end: self.start + end,
        }
    }
}

/// One source file: its path relative to the topology root (as shown to users) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(path: String, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }

    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }
}

/// All files of one topology, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file, or returns the id of the file already added under `path`.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let path = path.into();
        if let Some(id) = self.find(&path) {
            return id;
        }
        self.files.push(SourceFile::new(path, text.into()));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn find(&self, path: &str) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The file, or `None` for an id that is not in these sources.
    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file).text.get(span.range()).unwrap_or("")
    }

    /// Resolved start and end positions of a span.
    pub fn position(&self, span: Span) -> Position {
        let file = self.get(span.file);
        let (line, column) = file.line_col(span.start as usize);
        let (end_line, end_column) = file.line_col(span.end as usize);
        Position {
            path: file.path.clone(),
            line,
            column,
            end_line,
            end_column,
            start_byte: span.start as usize,
            end_byte: span.end as usize,
        }
    }
}

/// A span resolved to a path and 1-based lines and columns (end exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub start_byte: usize,
    pub end_byte: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_characters() {
        let mut sources = Sources::new();
        let id = sources.add("a.hcl", "ab\ncé d\n");
        let file = sources.get(id);
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        // "é" is two bytes but one column.
        assert_eq!(file.line_col(6), (2, 3));
        assert_eq!(file.line_col(100), (3, 1));
    }

    #[test]
    fn adding_the_same_path_twice_returns_the_first_id() {
        let mut sources = Sources::new();
        let a = sources.add("a.hcl", "x");
        let b = sources.add("a.hcl", "y");
        assert_eq!(a, b);
        assert_eq!(sources.get(a).text, "x");
    }

    #[test]
    fn sub_span_is_clamped_to_parent() {
        let span = Span::new(FileId(0), 10..20);
        assert_eq!(span.slice(2..5).range(), 12..15);
        assert_eq!(span.slice(5..50).range(), 15..20);
    }
}
