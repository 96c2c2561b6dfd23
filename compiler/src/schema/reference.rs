//! The block and attribute reference of `docs/language.md`, generated from the schema.
//!
//! [`markdown`] walks [`ROOT`] depth-first and writes one section per block at every place it
//! may appear, so that the reference cannot drift from what the evaluator accepts
//! (`compiler/tests/docs.rs` fails when the committed copy differs). Policy statements are
//! reachable from many sections; they are written once, under "Policy statements", and linked
//! from every place that holds them. The output depends on the schema tables only: no IO, no
//! clock, no hash order.

use super::{BlockSchema, Repeat, META_BLOCKS, ROOT};
use std::collections::VecDeque;
use std::fmt::Write;

/// The generated reference: Markdown from `## Block reference` to the last policy statement.
pub fn markdown() -> String {
    let mut doc = Doc::default();
    doc.root();
    for &child in ROOT.blocks {
        doc.walk(child, &[]);
    }
    doc.statements();
    doc.out
}

#[derive(Default)]
struct Doc {
    out: String,
}

/// The policy statements and the blocks that hold them, in the order a breadth-first walk
/// meets them (sections before `when`). Blocks are compared by address: the schema shares one
/// table among many places, and `when` holds the statements that hold it.
fn find_statements() -> (Vec<&'static BlockSchema>, Vec<&'static str>) {
    let mut statements: Vec<&'static BlockSchema> = Vec::new();
    let mut holders: Vec<&'static str> = Vec::new();
    let mut seen: Vec<&'static BlockSchema> = Vec::new();
    let mut queue = VecDeque::from([&ROOT]);
    while let Some(block) = queue.pop_front() {
        if seen.iter().any(|s| std::ptr::eq(*s, block)) {
            continue;
        }
        seen.push(block);
        for &child in block.blocks {
            if child.statement {
                if !statements.iter().any(|s| std::ptr::eq(*s, child)) {
                    statements.push(child);
                }
                if !holders.contains(&block.name) {
                    holders.push(block.name);
                }
            }
            queue.push_back(child);
        }
    }
    (statements, holders)
}

impl Doc {
    fn root(&mut self) {
        self.out.push_str(
            "## Block reference\n\n\
             Generated from the schema (`compiler/src/schema/blocks.rs`); do not edit it by hand. \
             Each heading is the path of nested block names from the top of a file. \
             Attributes with *yes* under *required* must be set (to something other than \
             `null`); the others may be left out, and the default named in the description \
             applies. Rules that tie attributes together (a `certificate` has exactly one \
             source) are GH015.\n\n",
        );
        self.out.push_str("### Top level\n\n");
        writeln!(self.out, "{}\n", ROOT.doc).unwrap();
        self.children(&ROOT, &[]);
        let meta: Vec<String> = META_BLOCKS.iter().map(|m| format!("`{m}`")).collect();
        writeln!(
            self.out,
            "The evaluator's own blocks {} are described in the sections above.\n",
            join_words(&meta)
        )
        .unwrap();
    }

    /// Writes `block` (reached through `parents`) and every block below it; statements only
    /// at the top of a walk, as they are written once under "Policy statements".
    fn walk(&mut self, block: &'static BlockSchema, parents: &[&'static BlockSchema]) {
        if block.statement && !parents.is_empty() {
            return;
        }
        let mut path = parents.to_vec();
        path.push(block);
        self.section(&path);
        for &child in block.blocks {
            self.walk(child, &path);
        }
    }

    fn statements(&mut self) {
        let (statements, holders) = find_statements();
        self.out.push_str("## Policy statements\n\n");
        let holders: Vec<String> = holders.iter().map(|h| format!("`{h}`")).collect();
        writeln!(
            self.out,
            "The blocks that may appear in {}. They run in the order written; each is the API \
             Management policy element named in its description.\n",
            join_words(&holders)
        )
        .unwrap();
        for statement in statements {
            self.walk(statement, &[]);
        }
    }

    /// One block at one place: heading, doc, label, repetition, attributes and child blocks.
    fn section(&mut self, path: &[&'static BlockSchema]) {
        let block = *path.last().expect("a path names at least one block");
        writeln!(self.out, "### {}\n", heading(path)).unwrap();
        writeln!(self.out, "{}\n", block.doc).unwrap();
        writeln!(self.out, "- **Label:** {}", label(path)).unwrap();
        writeln!(self.out, "- **Repeats:** {}\n", repeats(block)).unwrap();
        self.attributes(block);
        self.children(block, path);
    }

    fn attributes(&mut self, block: &BlockSchema) {
        if block.attrs.is_empty() {
            self.out.push_str("No attributes.\n\n");
            return;
        }
        self.out
            .push_str("| attribute | type | required | description |\n|---|---|---|---|\n");
        for attr in block.attrs {
            let required = if attr.required { "yes" } else { "no" };
            writeln!(
                self.out,
                "| `{}` | {} | {required} | {} |",
                attr.name,
                cell(&attr.ty.to_string()),
                cell(attr.doc)
            )
            .unwrap();
        }
        self.out.push('\n');
    }

    fn children(&mut self, block: &BlockSchema, path: &[&'static BlockSchema]) {
        if block.blocks.is_empty() {
            self.out.push_str("No blocks.\n\n");
            return;
        }
        let links: Vec<String> = block
            .blocks
            .iter()
            .map(|&child| {
                let target = if child.statement {
                    heading(&[child])
                } else {
                    let mut child_path = path.to_vec();
                    child_path.push(child);
                    heading(&child_path)
                };
                format!("[`{}`](#{})", child.name, anchor(&target))
            })
            .collect();
        writeln!(self.out, "**Blocks:** {}.\n", links.join(", ")).unwrap();
    }
}

/// `app_gateway > listener > route`.
fn heading(path: &[&BlockSchema]) -> String {
    path.iter().map(|b| b.name).collect::<Vec<_>>().join(" > ")
}

/// The anchor GitHub gives a heading: lower case, spaces to `-`, other punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn label(path: &[&BlockSchema]) -> String {
    let block = path.last().expect("a path names at least one block");
    let Some(label) = block.label else {
        return format!("none: `{} {{ ... }}`", block.name);
    };
    let written = format!("`{} \"<{label}>\" {{ ... }}`", block.name);
    if block.kind.is_none() {
        return format!("{written}; labels are unique within the parent.");
    }
    // Entities nest only in entities, so every block on the path has a label.
    let address: Vec<String> = path
        .iter()
        .map(|b| format!("{}.<{}>", b.name, b.label.unwrap_or("name")))
        .collect();
    let address = address.join(".");
    match path.len() {
        1 => format!("{written}; the label is its name, and other blocks refer to it as `{address}`."),
        n => format!(
            "{written}; the label is its name. Other blocks refer to it as `{address}`, or as `{}.<{label}>` inside the enclosing `{}`.",
            block.name,
            path[n - 2].name
        ),
    }
}

fn repeats(block: &BlockSchema) -> &'static str {
    match (block.repeat, block.label.is_some(), block.statement) {
        (Repeat::Once, ..) => "no, at most once in its parent",
        (Repeat::Many, true, _) => "yes, with a different label each time",
        (Repeat::Many, false, true) => "yes; statements run in the order written",
        (Repeat::Many, false, false) => "yes, any number of times",
    }
}

/// Text safe in a table cell: `|` would end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `a`, `a and b`, `a, b and c`.
fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn anchors_follow_github_heading_ids() {
        assert_eq!(
            anchor("app_gateway > listener > route"),
            "app_gateway--listener--route"
        );
        assert_eq!(anchor("Top level"), "top-level");
    }

    #[test]
    fn cells_escape_the_column_separator() {
        assert_eq!(cell("a | b"), "a \\| b");
    }

    #[test]
    fn joins_words_as_a_sentence() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_words(&words(&["a"])), "a");
        assert_eq!(join_words(&words(&["a", "b", "c"])), "a, b and c");
    }

    #[test]
    fn headings_are_unique_and_every_link_has_one() {
        let text = markdown();
        let mut anchors = BTreeSet::new();
        for line in text.lines().filter(|l| l.starts_with('#')) {
            let title = line.trim_start_matches('#').trim();
            assert!(
                anchors.insert(anchor(title)),
                "heading `{title}` appears twice"
            );
        }
        for link in text.split("](#").skip(1) {
            let target = link.split(')').next().unwrap_or_default();
            assert!(anchors.contains(target), "link to #{target} has no heading");
        }
    }

    #[test]
    fn both_forms_of_api_and_backend_are_documented() {
        let text = markdown();
        for heading in [
            "### api\n",
            "### api_management > api\n",
            "### backend\n",
            "### api_management > backend\n",
        ] {
            assert!(text.contains(heading), "missing `{heading}`");
        }
    }

    #[test]
    fn statements_are_written_once() {
        let text = markdown();
        assert_eq!(text.matches("### base\n").count(), 1);
        assert_eq!(text.matches("### choose > when\n").count(), 1);
        assert!(!text.contains("> inbound > base"));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(markdown(), markdown());
    }
}
