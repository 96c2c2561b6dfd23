//! Tests for the formatter: messy input in, exact canonical text out.
//!
//! Every case also checks that formatting is idempotent and that the comments of the input come
//! out unchanged and in order.

use super::format_source;

/// Asserts that `input` formats to exactly `expect`, that `expect` is a fixed point, and that no
/// comment was lost.
#[track_caller]
fn check(input: &str, expect: &str) {
    let formatted = format_source(input).expect("input parses");
    assert_eq!(formatted, expect, "formatting {input:?}");
    let again = format_source(&formatted).expect("output parses");
    assert_eq!(
        again, formatted,
        "formatting is not idempotent for {input:?}"
    );
    assert_eq!(
        comments(&formatted),
        comments(input),
        "comments of {input:?}"
    );
}

/// The comments of HCL `text` in order, line comments without trailing whitespace.
///
/// A test-only scanner that knows quoted strings; heredoc bodies are scanned as code, which is
/// harmless because the formatter keeps them byte for byte.
fn comments(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['#', '/', '"']) {
        let tail = &rest[at..];
        let len = if tail.starts_with('"') {
            quoted_len(tail)
        } else if tail.starts_with("/*") {
            let len = tail.find("*/").map_or(tail.len(), |end| end + 2);
            found.push(tail[..len].to_owned());
            len
        } else if tail.starts_with('#') || tail.starts_with("//") {
            let len = tail.find('\n').unwrap_or(tail.len());
            found.push(tail[..len].trim_end().to_owned());
            len
        } else {
            1
        };
        rest = &tail[len..];
    }
    found
}

/// The length of the quoted string at the start of `tail`, quotes included.
fn quoted_len(tail: &str) -> usize {
    let mut escaped = false;
    for (at, c) in tail.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return at + 1,
            _ => escaped = false,
        }
    }
    tail.len()
}

#[test]
fn comment_scanner_skips_strings() {
    assert_eq!(
        comments("a = \"# no\" # yes\nb = \"/* \\\" no */\" /* yes */\n// last  "),
        ["# yes", "/* yes */", "// last"]
    );
}

// Indentation.

#[test]
fn indents_two_spaces_per_level() {
    check(
        "resource \"a\" \"b\" {\nname = \"x\"\n      nested {\n    deep {\n  v = 1\n          }\n }\n}\n",
        "resource \"a\" \"b\" {\n  name = \"x\"\n  nested {\n    deep {\n      v = 1\n    }\n  }\n}\n",
    );
}

#[test]
fn unindents_top_level_items() {
    check("   a = 1\n\t b {\n }\n", "a = 1\nb {}\n");
}

// Spacing around `=`.

#[test]
fn puts_one_space_around_equals() {
    check("a=1\n", "a = 1\n");
    check("a    =     \"x\"\n", "a = \"x\"\n");
    check("a\t=\t[1, 2]\n", "a = [1, 2]\n");
}

#[test]
fn keeps_expression_spacing_as_written() {
    check("a =   var.x  +  1\n", "a = var.x  +  1\n");
    check("a = f( 1,2 )\n", "a = f( 1,2 )\n");
}

// Alignment of `=`.

#[test]
fn aligns_equals_of_consecutive_attributes() {
    check("a = 1\nbbb = 2\ncc=3\n", "a   = 1\nbbb = 2\ncc  = 3\n");
}

#[test]
fn realigns_over_aligned_attributes() {
    check("a        = 1\nbb       = 2\n", "a  = 1\nbb = 2\n");
}

#[test]
fn blank_line_ends_alignment_run() {
    check(
        "a = 1\nbbb = 2\n\ncc = 3\nd = 4\n",
        "a   = 1\nbbb = 2\n\ncc = 3\nd  = 4\n",
    );
}

#[test]
fn block_ends_alignment_run() {
    check(
        "a = 1\nblk {}\nlong_name = 2\nx = 3\n",
        "a = 1\nblk {}\nlong_name = 2\nx         = 3\n",
    );
}

#[test]
fn multi_line_attribute_ends_alignment_run() {
    check(
        "a = 1\nlist = [\n  1,\n]\nlong_key = 2\nb = 3\n",
        "a = 1\nlist = [\n  1,\n]\nlong_key = 2\nb        = 3\n",
    );
}

#[test]
fn heredoc_attribute_ends_alignment_run() {
    check(
        "a = 1\ntext = <<EOT\nhi\nEOT\nlong_key = 2\nb = 3\n",
        "a = 1\ntext = <<EOT\nhi\nEOT\nlong_key = 2\nb        = 3\n",
    );
}

#[test]
fn comment_line_ends_alignment_run() {
    // As in `terraform fmt`, a line without `=` closes the run.
    check(
        "a = 1\n# about bbbb\nbbbb = 2\nc = 3\n",
        "a = 1\n# about bbbb\nbbbb = 2\nc    = 3\n",
    );
}

#[test]
fn trailing_comments_do_not_affect_alignment() {
    check(
        "a = 1 # one\nbbb = 2   // two\n",
        "a   = 1 # one\nbbb = 2 // two\n",
    );
}

#[test]
fn aligns_each_body_separately() {
    check(
        "a = 1\nlonger = 2\nblk {\nx = 1\nyy = 2\n}\n",
        "a      = 1\nlonger = 2\nblk {\n  x  = 1\n  yy = 2\n}\n",
    );
}

#[test]
fn aligns_by_characters_not_bytes() {
    check("ключ = 1\nab = 2\n", "ключ = 1\nab   = 2\n");
}

#[test]
fn aligns_keys_with_comments_before_equals() {
    check(
        "a /* k */ = 1\nlong_key = 2\n",
        "a /* k */ = 1\nlong_key  = 2\n",
    );
}

#[test]
fn attribute_after_leading_inline_comment_is_not_aligned() {
    check(
        "/* lead */   a = 1\nbbb = 2\n",
        "/* lead */ a = 1\nbbb = 2\n",
    );
}

// Block headers and bodies.

#[test]
fn puts_one_space_between_header_parts() {
    check(
        "resource   \"a\"    \"b\"{\n}\n",
        "resource \"a\" \"b\" {}\n",
    );
}

#[test]
fn keeps_label_quoting() {
    check(
        "module   foo \"bar\"{\nx = 1\n}\n",
        "module foo \"bar\" {\n  x = 1\n}\n",
    );
}

#[test]
fn empty_blocks_collapse_to_braces() {
    check("a {\n\n}\n", "a {}\n");
    check("a \"x\" { }\n", "a \"x\" {}\n");
    check("a \"x\" {}\n", "a \"x\" {}\n");
}

#[test]
fn expands_single_line_block() {
    check("a { b = 1 }\n", "a {\n  b = 1\n}\n");
    check("a \"l\" {b=1}\n", "a \"l\" {\n  b = 1\n}\n");
}

#[test]
fn expands_nested_single_line_block() {
    check(
        "outer {\n inner { v = \"x\" }\n}\n",
        "outer {\n  inner {\n    v = \"x\"\n  }\n}\n",
    );
}

#[test]
fn puts_closing_brace_on_own_line_at_block_indent() {
    check(
        "a {\n  b {\n    c = 1\n      }\n        }\n",
        "a {\n  b {\n    c = 1\n  }\n}\n",
    );
}

// Comments.

#[test]
fn keeps_comments_of_all_kinds_around_items() {
    check(
        "# file header\n\n// about a\na = 1 # trailing\n  /* block */\nb {\n      # inside\n  c = 2    /* after c */\n      // before close\n}\n# end\n",
        "# file header\n\n// about a\na = 1 # trailing\n/* block */\nb {\n  # inside\n  c = 2 /* after c */\n  // before close\n}\n# end\n",
    );
}

#[test]
fn reindents_comments_in_nested_bodies() {
    check(
        "a {\n# one\n  b {\n# two\nc = 1 # three\n# four\n}\n}\n",
        "a {\n  # one\n  b {\n    # two\n    c = 1 # three\n    # four\n  }\n}\n",
    );
}

#[test]
fn keeps_multi_line_block_comment_body_as_written() {
    check(
        "a {\n    /* line one\n       line two */\n    x = 1\n}\n",
        "a {\n  /* line one\n       line two */\n  x = 1\n}\n",
    );
}

#[test]
fn keeps_comment_after_opening_brace() {
    check("a {    # note\n x = 1\n}\n", "a { # note\n  x = 1\n}\n");
    check("a { // note\n}\n", "a { // note\n}\n");
}

#[test]
fn keeps_comment_only_block_multi_line() {
    check("a {\n# only\n}\n", "a {\n  # only\n}\n");
    check("a { /* only */ }\n", "a {\n  /* only */\n}\n");
}

#[test]
fn keeps_comments_beside_equals() {
    check("a /* k */=   /* v */   1\n", "a /* k */ = /* v */ 1\n");
}

#[test]
fn keeps_comments_in_block_header() {
    check(
        "a   /* i */   \"l\"   /* l */ {\n}\n",
        "a /* i */ \"l\" /* l */ {}\n",
    );
}

#[test]
fn keeps_comments_in_single_line_block() {
    check(
        "a { /* before */ b = 1 /* after */ }\n",
        "a {\n  /* before */ b = 1 /* after */\n}\n",
    );
}

#[test]
fn keeps_several_comments_on_one_line() {
    check(
        "/* a */   /* b */   # c\nx = 1   /* d */   # e\n",
        "/* a */ /* b */ # c\nx = 1 /* d */ # e\n",
    );
}

#[test]
fn keeps_comment_only_file() {
    check("\n\n  # only\n\n\n// also\n\n", "# only\n\n// also\n");
}

#[test]
fn removes_trailing_whitespace_of_comments() {
    check("# note   \na = 1 // tail  \t\n", "# note\na = 1 // tail\n");
}

// Blank lines.

#[test]
fn collapses_blank_lines() {
    check(
        "\n\n\na = 1\n\n\n\nb = 2\nblk {\n\n\n  c = 3\n\n\n  d = 4\n\n\n}\n\n\n",
        "a = 1\n\nb = 2\nblk {\n  c = 3\n\n  d = 4\n}\n",
    );
}

#[test]
fn collapses_blank_lines_around_comments() {
    check(
        "a {}\n\n\n# about b\n\n\nb {}\n",
        "a {}\n\n# about b\n\nb {}\n",
    );
}

#[test]
fn drops_blank_lines_at_body_edges_but_not_before_closing_comment() {
    check(
        "a { # note\n\n\n  x = 1\n\n\n  # last\n\n\n}\n",
        "a { # note\n  x = 1\n\n  # last\n}\n",
    );
}

#[test]
fn drops_blank_lines_before_first_comment_in_body() {
    check("a {\n\n\n  # c\n  x = 1\n}\n", "a {\n  # c\n  x = 1\n}\n");
}

// File edges.

#[test]
fn ends_file_with_one_newline() {
    check("a = 1", "a = 1\n");
    check("a = 1\n\n\n", "a = 1\n");
    check("a {}", "a {}\n");
}

#[test]
fn empty_input_stays_empty() {
    check("", "");
    check("\n\n  \n", "");
}

#[test]
fn normalizes_crlf_line_endings() {
    check(
        "a = 1\r\nb {\r\n  c = 2 # x\r\n}\r\n",
        "a = 1\nb {\n  c = 2 # x\n}\n",
    );
}

#[test]
fn removes_trailing_whitespace_in_multi_line_values() {
    check(
        "a = 1   \nb {  \n  c = [   \n    1,  \n  ]\n}  \n",
        "a = 1\nb {\n  c = [\n    1,\n  ]\n}\n",
    );
}

// Values kept as written.

#[test]
fn keeps_multi_line_object_as_written() {
    check(
        "tags   =   {\n    Name = \"x\"\n      Env    = \"y\"\n}\n",
        "tags = {\n    Name = \"x\"\n      Env    = \"y\"\n}\n",
    );
}

#[test]
fn keeps_heredoc_contents() {
    check(
        "blk {\n      script = <<-EOT\n    echo \"hi\"   \n      indented\t\n  EOT\n  short = 1\n}\n",
        "blk {\n  script = <<-EOT\n    echo \"hi\"   \n      indented\t\n  EOT\n  short = 1\n}\n",
    );
    check(
        "x =   <<EOT\n  # not a comment  \n}\nEOT\n",
        "x = <<EOT\n  # not a comment  \n}\nEOT\n",
    );
}

#[test]
fn keeps_whitespace_inside_multi_line_string() {
    // hcl-edit accepts a raw newline in a quoted string; the spaces before it are part of the value.
    check("a = \"x  \ny\"\n", "a = \"x  \ny\"\n");
}

#[test]
fn keeps_heredoc_indented_with_tabs() {
    check(
        "x = <<-EOT\n\t\tone\n\t  two\n\tEOT\n",
        "x = <<-EOT\n\t\tone\n\t  two\n\tEOT\n",
    );
}

#[test]
fn keeps_comments_inside_binary_operations() {
    // hcl-edit 0.10 re-encodes binary operators without their decor; values are kept from source.
    check(
        "b   =   1 /* c1 */ + /* c2 */ 2\nc = x  ==  y\n",
        "b = 1 /* c1 */ + /* c2 */ 2\nc = x  ==  y\n",
    );
}

#[test]
fn keeps_comments_inside_traversals() {
    check(
        "i = a /* c1 */ . b /* c2 */ [ 0 ] /* c3 */ .* /* c4 */ [*]\n",
        "i = a /* c1 */ . b /* c2 */ [ 0 ] /* c3 */ .* /* c4 */ [*]\n",
    );
}

/// Comments in every position an expression allows one.
const EXPRESSION_COMMENTS: &str = r#"b = 1 /* c1 */ + /* c2 */ 2
c = x /* c3 */ ? /* c4 */ 1 /* c5 */ : /* c6 */ 2
d = [ /* c7 */ 1 /* c8 */, /* c9 */ 2 /* c10 */ ]
e = { /* c11 */
  k /* c12 */ = /* c13 */ 1 /* c14 */ // c15
  /* c16 */ "s" /* c17 */ : 2 # c18
  # c19
}
f = [for /* c20 */ k /* c21 */, v /* c22 */ in /* c23 */ xs /* c24 */ : /* c25 */ v /* c26 */ if /* c27 */ v /* c28 */]
g = {for k, v in xs /* c29 */ : /* c30 */ k /* c31 */ => /* c32 */ v /* c33 */ ... /* c34 */ if true}
h = fn( /* c35 */ 1 /* c36 */, /* c37 */ 2 /* c38 */ ... /* c39 */ )
j = - /* c47 */ 1
k = ! /* c48 */ true
l = ( /* c49 */ 1 /* c50 */ )
m = "${ /* c51 */ x /* c52 */ }%{ /* c53 */ if /* c54 */ x /* c55 */ }y%{ /* c56 */ endif /* c57 */ }"
n = ns /* c58 */ :: /* c59 */ fn /* c60 */ ()
"#;

#[test]
fn keeps_comments_in_every_expression_position() {
    check(EXPRESSION_COMMENTS, EXPRESSION_COMMENTS);
}

#[test]
fn keeps_label_escapes_as_written() {
    check("a   \"x\\u0041\\\"\"  {}\n", "a \"x\\u0041\\\"\" {}\n");
}

// A whole file.

#[test]
fn formats_messy_terraform_file() {
    check(
        r#"terraform{
required_version=">= 1.5"
}


# Gateway
resource   "azurerm_application_gateway" "gw"   {
name = "gw-prod"   # the name
location    =   var.location
resource_group_name = azurerm_resource_group.rg.name



  sku {
        name="WAF_v2"
    tier = "WAF_v2"
        capacity=2
  }
  tags = {
    env = "prod"
  }
  ssl_profile { name = "mtls" }
  // trailing
}
"#,
        r#"terraform {
  required_version = ">= 1.5"
}

# Gateway
resource "azurerm_application_gateway" "gw" {
  name                = "gw-prod" # the name
  location            = var.location
  resource_group_name = azurerm_resource_group.rg.name

  sku {
    name     = "WAF_v2"
    tier     = "WAF_v2"
    capacity = 2
  }
  tags = {
    env = "prod"
  }
  ssl_profile {
    name = "mtls"
  }
  // trailing
}
"#,
    );
}

#[test]
fn multi_line_trailing_comment_ends_alignment_run() {
    check(
        "a = 1 /* one\n  two */\nbbb = 2\nc = 3\n",
        "a = 1 /* one\n  two */\nbbb = 2\nc   = 3\n",
    );
}

#[test]
fn moves_comment_before_closing_brace_to_own_line() {
    check(
        "a {\n  x = 1\n  /* last */ }\n",
        "a {\n  x = 1\n  /* last */\n}\n",
    );
}

#[test]
fn keeps_comment_at_end_of_file_without_newline() {
    check("a = 1\n\n\n   /* end */", "a = 1\n\n/* end */\n");
}

// Errors.

#[test]
fn rejects_syntax_errors() {
    for input in ["a = ", "a {", "a = 1 b = 2\n", "\"a\" = 1\n", "a { b = 1\n"] {
        assert!(format_source(input).is_err(), "{input:?} should not parse");
    }
}
