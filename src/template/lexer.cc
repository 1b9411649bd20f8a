#include "template/lexer.h"

#include <algorithm>
#include <cstdint>

#include "template/text.h"

namespace miaotui::tmpl {
namespace {

// Text after a preprocessing pass, with the source offset every byte came from.
struct Mapped {
  std::string text;
  std::vector<uint32_t> origin;
  void Push(char c, uint32_t from) {
    text.push_back(c);
    origin.push_back(from);
  }
};

bool IsLineStart(const std::string& s, size_t i) {
  if (i == 0) return true;
  const char p = s[i - 1];
  if (p == '\n' || p == '\r') return true;
  // U+2028 / U+2029 (E2 80 A8 / E2 80 A9) also start a line for JavaScript's /^/m.
  return i >= 3 && static_cast<unsigned char>(s[i - 3]) == 0xE2 &&
         static_cast<unsigned char>(s[i - 2]) == 0x80 &&
         (static_cast<unsigned char>(p) == 0xA8 || static_cast<unsigned char>(p) == 0xA9);
}

// /^[ \t]*({[#%-])/gm -> "$1"
Mapped LstripBlocks(const Mapped& in) {
  Mapped out;
  const std::string& s = in.text;
  size_t i = 0;
  while (i < s.size()) {
    if (IsLineStart(s, i)) {
      size_t j = i;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      if (j + 1 < s.size() && s[j] == '{' && (s[j + 1] == '#' || s[j + 1] == '%' ||
                                               s[j + 1] == '-')) {
        i = j;
      }
    }
    // Copy up to and including the next line terminator byte.
    do {
      out.Push(s[i], in.origin[i]);
      ++i;
    } while (i < s.size() && !IsLineStart(s, i));
  }
  return out;
}

// /([#%-]})\n/g -> "$1"
Mapped TrimBlocks(const Mapped& in) {
  Mapped out;
  const std::string& s = in.text;
  for (size_t i = 0; i < s.size(); ++i) {
    out.Push(s[i], in.origin[i]);
    if (s[i] == '}' && i > 0 && (s[i - 1] == '#' || s[i - 1] == '%' || s[i - 1] == '-') &&
        i + 1 < s.size() && s[i + 1] == '\n') {
      ++i;
    }
  }
  return out;
}

bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Removes `{% generation %}` / `{% endgeneration %}` (with their -/- whitespace control).
Mapped RemoveGenerationTags(const Mapped& in) {
  const std::string& s = in.text;
  if (s.find("generation") == std::string::npos) return in;
  Mapped out;
  size_t i = 0;
  while (i < s.size()) {
    if (s.compare(i, 2, "{%") == 0) {
      size_t j = i + 2;
      const bool lstrip = j < s.size() && s[j] == '-';
      if (lstrip) ++j;
      while (j < s.size() && IsAsciiSpace(s[j])) ++j;
      if (s.compare(j, 3, "end") == 0 && s.compare(j + 3, 10, "generation") == 0) j += 3;
      if (s.compare(j, 10, "generation") == 0) {
        j += 10;
        while (j < s.size() && IsAsciiSpace(s[j])) ++j;
        const bool rstrip = j < s.size() && s[j] == '-';
        if (rstrip) ++j;
        if (s.compare(j, 2, "%}") == 0) {
          j += 2;
          if (lstrip) {
            while (!out.text.empty() && IsAsciiSpace(out.text.back())) {
              out.text.pop_back();
              out.origin.pop_back();
            }
          }
          if (rstrip) {
            while (j < s.size() && IsAsciiSpace(s[j])) ++j;
          }
          i = j;
          continue;
        }
      }
    }
    out.Push(s[i], in.origin[i]);
    ++i;
  }
  return out;
}

class Lexer {
 public:
  Lexer(const Mapped& src, std::vector<size_t> line_starts)
      : s_(src.text), origin_(src.origin), line_starts_(std::move(line_starts)) {}

  Result<std::vector<Token>> Run();

 private:
  int LineAt(size_t pos) const {
    const size_t off = pos < origin_.size() ? origin_[pos] : (origin_.empty() ? 0 : origin_.back());
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
    return static_cast<int>(it - line_starts_.begin());
  }
  Status Error(size_t pos, const std::string& msg) const {
    return InvalidArgument("template line " + std::to_string(LineAt(pos)) + ": " + msg);
  }
  void Push(TokenType type, std::string text, size_t pos) {
    tokens_.push_back(Token{type, std::move(text), LineAt(pos)});
  }
  void StripTrailingWhitespace() {
    if (tokens_.empty() || tokens_.back().type != TokenType::kText) return;
    tokens_.back().text = TrimJs(tokens_.back().text, false, true);
    if (tokens_.back().text.empty()) tokens_.pop_back();
  }
  void SkipWhitespace() {
    while (pos_ < s_.size()) {
      size_t next = pos_;
      if (!IsJsSpace(DecodeUtf8(s_, &next))) break;
      pos_ = next;
    }
  }
  bool At(std::string_view seq) const { return s_.compare(pos_, seq.size(), seq) == 0; }
  Status LexString(char quote);
  void LexNumber(std::string prefix, size_t start);

  const std::string& s_;
  const std::vector<uint32_t>& origin_;
  std::vector<size_t> line_starts_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int curly_depth_ = 0;
};

Status Lexer::LexString(char quote) {
  const size_t start = pos_;
  ++pos_;
  std::string value;
  while (true) {
    if (pos_ >= s_.size()) return Error(start, "unterminated string literal");
    const char c = s_[pos_];
    if (c == quote) break;
    if (c != '\\') {
      value.push_back(c);
      ++pos_;
      continue;
    }
    if (pos_ + 1 >= s_.size()) return Error(start, "unterminated string literal");
    const char e = s_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case 'n': value.push_back('\n'); break;
      case 't': value.push_back('\t'); break;
      case 'r': value.push_back('\r'); break;
      case 'b': value.push_back('\b'); break;
      case 'f': value.push_back('\f'); break;
      case 'v': value.push_back('\v'); break;
      case '\'': case '"': case '\\': value.push_back(e); break;
      case 'x':
      case 'u': {
        const size_t len = e == 'x' ? 2 : 4;
        if (pos_ + len > s_.size()) return Error(start, "invalid escape sequence in string");
        char32_t cp = 0;
        for (size_t k = 0; k < len; ++k) {
          const char h = s_[pos_ + k];
          int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                  : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
          if (d < 0) return Error(start, "invalid escape sequence in string");
          cp = cp * 16 + static_cast<char32_t>(d);
        }
        pos_ += len;
        AppendUtf8(cp, &value);
        break;
      }
      default:
        return Error(start, std::string("unknown escape '\\") + e + "' in string literal");
    }
  }
  ++pos_;  // closing quote
  Push(TokenType::kString, std::move(value), start);
  return Status::Ok();
}

void Lexer::LexNumber(std::string prefix, size_t start) {
  std::string num = std::move(prefix);
  const bool after_dot = !tokens_.empty() && tokens_.back().type == TokenType::kOperator &&
                         tokens_.back().text == ".";
  while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') num.push_back(s_[pos_++]);
  if (!after_dot && pos_ + 1 < s_.size() && s_[pos_] == '.' && s_[pos_ + 1] >= '0' &&
      s_[pos_ + 1] <= '9') {
    num.push_back(s_[pos_++]);
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') num.push_back(s_[pos_++]);
  }
  Push(TokenType::kNumber, std::move(num), start);
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

Result<std::vector<Token>> Lexer::Run() {
  static constexpr std::string_view kOperators[] = {
      "(", ")", "{", "}", "[", "]", ",", ".", ":", "|", "<=", ">=", "==", "!=", "<", ">",
      "+", "-", "~", "**", "*", "//", "/", "%", "="};
  while (pos_ < s_.size()) {
    const TokenType last = tokens_.empty() ? TokenType::kText : tokens_.back().type;
    if (tokens_.empty() || last == TokenType::kCloseStatement ||
        last == TokenType::kCloseExpression || last == TokenType::kComment) {
      const size_t start = pos_;
      while (pos_ < s_.size() && !(s_[pos_] == '{' && pos_ + 1 < s_.size() &&
                                   (s_[pos_ + 1] == '%' || s_[pos_ + 1] == '{' ||
                                    s_[pos_ + 1] == '#'))) {
        ++pos_;
      }
      if (pos_ > start) {
        Push(TokenType::kText, s_.substr(start, pos_ - start), start);
        continue;
      }
    }
    if (At("{#")) {
      const size_t start = pos_;
      pos_ += 2;
      const bool strip_before = pos_ < s_.size() && s_[pos_] == '-';
      if (strip_before) ++pos_;
      const size_t end = s_.find("#}", pos_);
      if (end == std::string::npos) return Error(start, "unterminated comment '{#'");
      std::string comment = s_.substr(pos_, end - pos_);
      const bool strip_after = !comment.empty() && comment.back() == '-';
      if (strip_after) comment.pop_back();
      if (strip_before) StripTrailingWhitespace();
      Push(TokenType::kComment, std::move(comment), start);
      pos_ = end + 2;
      if (strip_after) SkipWhitespace();
      continue;
    }
    if (At("{%-") || At("{{-")) {
      StripTrailingWhitespace();
      const bool stmt = s_[pos_ + 1] == '%';
      Push(stmt ? TokenType::kOpenStatement : TokenType::kOpenExpression, stmt ? "{%" : "{{",
           pos_);
      if (!stmt) curly_depth_ = 0;
      pos_ += 3;
      continue;
    }
    SkipWhitespace();
    if (pos_ >= s_.size()) break;
    if (At("-%}") || At("-}}")) {
      const bool stmt = s_[pos_ + 1] == '%';
      Push(stmt ? TokenType::kCloseStatement : TokenType::kCloseExpression, stmt ? "%}" : "}}",
           pos_);
      pos_ += 3;
      SkipWhitespace();
      continue;
    }
    const char c = s_[pos_];
    if (c == '-' || c == '+') {
      if (tokens_.empty() || last == TokenType::kText) {
        return Error(pos_, std::string("unexpected character '") + c + "'");
      }
      const bool binary = last == TokenType::kIdentifier || last == TokenType::kNumber ||
                          last == TokenType::kString ||
                          (last == TokenType::kOperator &&
                           (tokens_.back().text == ")" || tokens_.back().text == "]"));
      if (!binary && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') {
        const size_t start = pos_++;
        LexNumber(std::string(1, c), start);
        continue;
      }
    }
    if (At("{%") || At("%}") || At("{{") || (At("}}") && curly_depth_ <= 0)) {
      static constexpr TokenType kTypes[] = {TokenType::kOpenStatement,
                                             TokenType::kCloseStatement,
                                             TokenType::kOpenExpression,
                                             TokenType::kCloseExpression};
      const int idx = At("{%") ? 0 : At("%}") ? 1 : At("{{") ? 2 : 3;
      if (idx == 2) curly_depth_ = 0;
      Push(kTypes[idx], s_.substr(pos_, 2), pos_);
      pos_ += 2;
      continue;
    }
    bool matched = false;
    for (std::string_view op : kOperators) {
      if (At(op)) {
        if (op == "{") ++curly_depth_;
        if (op == "}") --curly_depth_;
        Push(TokenType::kOperator, std::string(op), pos_);
        pos_ += op.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (c == '\'' || c == '"') {
      MT_RETURN_IF_ERROR(LexString(c));
      continue;
    }
    if (c >= '0' && c <= '9') {
      LexNumber("", pos_);
      continue;
    }
    if (IsWordChar(c)) {
      const size_t start = pos_;
      while (pos_ < s_.size() && IsWordChar(s_[pos_])) ++pos_;
      Push(TokenType::kIdentifier, s_.substr(start, pos_ - start), start);
      continue;
    }
    size_t next = pos_;
    std::string ch;
    AppendUtf8(DecodeUtf8(s_, &next), &ch);
    return Error(pos_, "unexpected character '" + ch + "'");
  }
  return std::move(tokens_);
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view source) {
  std::vector<size_t> line_starts;  // offsets where lines 2, 3, ... begin
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\n') line_starts.push_back(i + 1);
  }
  line_starts.insert(line_starts.begin(), 0);
  if (source.size() > UINT32_MAX) return InvalidArgument("template larger than 4 GiB");
  Mapped m;
  m.text.reserve(source.size());
  size_t n = source.size();
  if (n > 0 && source[n - 1] == '\n') --n;
  for (size_t i = 0; i < n; ++i) m.Push(source[i], static_cast<uint32_t>(i));
  m = RemoveGenerationTags(TrimBlocks(LstripBlocks(m)));
  // upper_bound over line starts gives a 1-based line number.
  Lexer lexer(m, std::move(line_starts));
  return lexer.Run();
}

}  // namespace miaotui::tmpl
