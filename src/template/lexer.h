// Lexer for the chat-template language: splits a template into text, comments, `{% %}` /
// `{{ }}` delimiters and the tokens inside them.
//
// Whitespace handling matches transformers' apply_chat_template as @huggingface/jinja does it:
// one trailing newline of the template is dropped; lstrip_blocks removes spaces/tabs before
// `{%` / `{#` at the start of a line; trim_blocks removes the newline right after `%}` / `#}`;
// `{%-`, `{{-`, `{#-` strip whitespace before, `-%}`, `-}}`, `-#}` after; transformers'
// `{% generation %}` / `{% endgeneration %}` markers are removed. Every token records the line
// of the original (unprocessed) template it starts on, for error messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace miaotui::tmpl {

enum class TokenType {
  kText,
  kComment,
  kOpenStatement,   // {%
  kCloseStatement,  // %}
  kOpenExpression,  // {{
  kCloseExpression, // }}
  kNumber,          // 12, 1.5, -3 (a sign is folded in where it cannot be binary)
  kString,          // quoted literal, escapes already decoded
  kIdentifier,      // names and keywords alike
  kOperator,        // ( ) [ ] { } , . : | = + - ~ * / // % ** == != < > <= >=
};

struct Token {
  TokenType type;
  std::string text;
  int line;
};

// Fails with "template line N: ..." on an unterminated string or comment, a bad escape or a
// character that cannot start a token.
Result<std::vector<Token>> Tokenize(std::string_view source);

}  // namespace miaotui::tmpl
