//! `docs/language.md` stays true to the compiler: its block reference is exactly what the schema
//! generates, every HCL example in it parses, and every example marked
//! `<!-- example: checked -->` loads without a single diagnostic.
//!
//! A checked example is the `main.hcl` of a topology of its own. The files it names with
//! `file("...")` are added with stand-in contents (policy XML gets a minimal valid document),
//! the environment variables it names with `secret("...")` are set, and the blocks marked
//! `<!-- example: file PATH -->` (module sources) are added at PATH.

use gatehouse::eval::Options;
use gatehouse::load::load;
use gatehouse::syntax::MemoryWorld;
use std::path::PathBuf;

const BEGIN: &str = "<!-- BEGIN GENERATED REFERENCE (cargo test updates nothing; run: GATEHOUSE_UPDATE_DOCS=1 cargo test -p gatehouse --test docs) -->";
const END: &str = "<!-- END GENERATED REFERENCE -->";
const UPDATE_COMMAND: &str = "GATEHOUSE_UPDATE_DOCS=1 cargo test -p gatehouse --test docs";
const CHECKED: &str = "<!-- example: checked -->";
const FILE_PREFIX: &str = "<!-- example: file ";

fn language_md() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/language.md")
}

fn read_doc() -> String {
    let path = language_md();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Whether the developer asked for the generated section to be rewritten.
// The test harness, not the pipeline, reads this switch; the pipeline reads the environment
// through its `World` only.
#[allow(clippy::disallowed_methods)]
fn update_requested() -> bool {
    std::env::var("GATEHOUSE_UPDATE_DOCS").is_ok_and(|v| v == "1")
}

/// Byte range of the generated section: from after the BEGIN line to the start of the END line.
fn generated_range(doc: &str) -> std::ops::Range<usize> {
    let begin = doc
        .find(&format!("{BEGIN}\n"))
        .unwrap_or_else(|| panic!("docs/language.md has no line `{BEGIN}`"));
    let start = begin + BEGIN.len() + 1;
    let end = doc[start..]
        .find(&format!("{END}\n"))
        .map(|i| start + i)
        .unwrap_or_else(|| panic!("docs/language.md has no line `{END}` after the BEGIN line"));
    start..end
}

/// The document as it is once its generated section is current, so that the other tests do not
/// depend on whether the section is stale (or being rewritten by the test above).
fn current_doc() -> String {
    let mut doc = read_doc();
    let range = generated_range(&doc);
    doc.replace_range(range, &gatehouse::schema::reference::markdown());
    doc
}

#[test]
fn generated_reference_matches_the_schema() {
    let doc = read_doc();
    let range = generated_range(&doc);
    let expected = gatehouse::schema::reference::markdown();
    if doc[range.clone()] == expected {
        return;
    }
    if update_requested() {
        let mut updated = doc.clone();
        updated.replace_range(range, &expected);
        // The other tests read the file in parallel: replace it in one step, never half-written.
        let path = language_md();
        let temporary = path.with_extension("md.tmp");
        std::fs::write(&temporary, updated).expect("write docs/language.md.tmp");
        std::fs::rename(&temporary, &path).expect("replace docs/language.md");
        return;
    }
    let first_difference = doc[range.clone()]
        .lines()
        .zip(expected.lines())
        .position(|(a, b)| a != b)
        .map_or_else(
            || "the end of the section".to_string(),
            |i| format!("line {} of the section", i + 1),
        );
    panic!(
        "the block reference in docs/language.md is stale (first difference at {first_difference}); \
         regenerate it with `{UPDATE_COMMAND}`"
    );
}

/// A fenced ```hcl block and the line before its opening fence.
struct Example {
    /// 1-based line of the opening fence, for messages.
    line: usize,
    marker: String,
    text: String,
}

fn hcl_examples(doc: &str) -> Vec<Example> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut examples = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```hcl" {
            i += 1;
            continue;
        }
        let marker = if i > 0 {
            lines[i - 1].trim().to_string()
        } else {
            String::new()
        };
        let body_start = i + 1;
        let Some(len) = lines[body_start..]
            .iter()
            .position(|l| l.trim_end() == "```")
        else {
            panic!("the ```hcl block at line {} is never closed", i + 1);
        };
        let text: String = lines[body_start..body_start + len]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        examples.push(Example {
            line: i + 1,
            marker,
            text,
        });
        i = body_start + len + 1;
    }
    examples
}

#[test]
fn every_hcl_example_parses() {
    let doc = current_doc();
    let examples = hcl_examples(&doc);
    assert!(
        !examples.is_empty(),
        "docs/language.md has no ```hcl examples"
    );
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|e| {
            hcl_edit::parser::parse_body(&e.text)
                .err()
                .map(|err| format!("line {}: {err}", e.line))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "examples that do not parse:\n{}",
        failures.join("\n")
    );
}

/// The string arguments of every call `name("...")` in `text`.
fn call_arguments<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let opening = format!("{name}(\"");
    text.match_indices(&opening)
        .filter(|(at, _)| !text[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .filter_map(|(at, _)| {
            let rest = &text[at + opening.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The world of one checked example: the example as `main.hcl`, module files, and stand-ins
/// for the files and secrets it names.
fn world_for(example: &Example, module_files: &[(String, &Example)]) -> MemoryWorld {
    let mut world = MemoryWorld::new().with_file("main.hcl", example.text.as_str());
    for (path, file) in module_files {
        world = world.with_file(path, file.text.as_str());
    }
    let mut texts = vec![(String::new(), example.text.as_str())];
    texts.extend(module_files.iter().map(|(path, e)| {
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        (dir.to_string(), e.text.as_str())
    }));
    for (dir, text) in texts {
        for file in call_arguments(text, "file") {
            let path = if dir.is_empty() {
                file.to_string()
            } else {
                format!("{dir}/{file}")
            };
            let contents = if path.ends_with(".xml") {
                "<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"
            } else {
                "stand-in contents: the front end only checks that the file exists"
            };
            world = world.with_file(&path, contents);
        }
        for name in call_arguments(text, "secret") {
            world = world.with_env(name, "stand-in secret");
        }
    }
    world
}

#[test]
fn checked_examples_load_without_diagnostics() {
    let doc = current_doc();
    let examples = hcl_examples(&doc);
    let module_files: Vec<(String, &Example)> = examples
        .iter()
        .filter_map(|e| {
            let path = e
                .marker
                .strip_prefix(FILE_PREFIX)?
                .strip_suffix("-->")?
                .trim();
            Some((path.to_string(), e))
        })
        .collect();
    let checked: Vec<&Example> = examples.iter().filter(|e| e.marker == CHECKED).collect();
    assert!(
        checked.len() >= 5,
        "mark the big examples with `{CHECKED}` (found {})",
        checked.len()
    );
    let mut failures = Vec::new();
    for example in checked {
        let world = world_for(example, &module_files);
        let loaded = load(&world, "", &Options::default());
        if !loaded.diagnostics.is_empty() {
            let rendered = gatehouse::diagnostics::render::human::render(
                &loaded.diagnostics,
                &loaded.sources,
                false,
            );
            failures.push(format!("example at line {}:\n{rendered}", example.line));
        }
    }
    assert!(
        failures.is_empty(),
        "checked examples with diagnostics:\n{}",
        failures.join("\n")
    );
}

#[test]
fn headings_are_unique_and_every_link_points_at_one() {
    let doc = current_doc();
    let mut anchors: Vec<String> = Vec::new();
    let mut in_fence = false;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        }
        if in_fence || !line.starts_with('#') {
            continue;
        }
        let anchor = github_anchor(line.trim_start_matches('#').trim());
        assert!(
            !anchors.contains(&anchor),
            "two headings have the id `{anchor}`; GitHub would number the second"
        );
        anchors.push(anchor);
    }
    let missing: Vec<&str> = doc
        .split("](#")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| !anchors.iter().any(|a| a == target))
        .collect();
    assert!(
        missing.is_empty(),
        "links to headings that do not exist: {missing:?}"
    );
}

/// The id GitHub gives a heading: lower case, spaces to `-`, other punctuation dropped.
fn github_anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}
