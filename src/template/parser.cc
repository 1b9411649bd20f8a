#include "template/parser.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

namespace miaotui::tmpl {
namespace {

class Parser {
 public:
  explicit Parser(const std::vector<Token>& tokens) : t_(tokens) {}

  Result<NodeList> ParseTemplate() {
    NodeList out;
    MT_RETURN_IF_ERROR(ParseBlock({}, &out));
    if (pos_ < t_.size()) {
      // Stopped at an end tag that nothing opened.
      return Error(t_[pos_ + 1], "unexpected '" + t_[pos_ + 1].text + "' with no open block");
    }
    return out;
  }

 private:
  // ---- token helpers ----
  const Token* Peek(size_t ahead = 0) const {
    return pos_ + ahead < t_.size() ? &t_[pos_ + ahead] : nullptr;
  }
  int Line() const {
    if (pos_ < t_.size()) return t_[pos_].line;
    return t_.empty() ? 1 : t_.back().line;
  }
  Status Error(const Token& tok, const std::string& msg) const {
    return InvalidArgument("template line " + std::to_string(tok.line) + ": " + msg);
  }
  Status ErrorHere(const std::string& msg) const {
    return InvalidArgument("template line " + std::to_string(Line()) + ": " + msg);
  }
  bool IsOp(std::string_view op, size_t ahead = 0) const {
    const Token* tok = Peek(ahead);
    return tok && tok->type == TokenType::kOperator && tok->text == op;
  }
  bool IsName(std::string_view name, size_t ahead = 0) const {
    const Token* tok = Peek(ahead);
    return tok && tok->type == TokenType::kIdentifier && tok->text == name;
  }
  bool IsType(TokenType type) const { return Peek() && Peek()->type == type; }
  static std::string Describe(const Token* tok) {
    if (!tok) return "end of template";
    switch (tok->type) {
      case TokenType::kText: return "text";
      case TokenType::kComment: return "comment";
      case TokenType::kString: return "string literal";
      default: return "'" + tok->text + "'";
    }
  }
  Status Expect(TokenType type, std::string_view text, std::string_view what) {
    const Token* tok = Peek();
    if (!tok || tok->type != type || (!text.empty() && tok->text != text)) {
      return ErrorHere("expected " + std::string(what) + ", found " + Describe(tok));
    }
    ++pos_;
    return Status::Ok();
  }
  Status ExpectOp(std::string_view op) {
    return Expect(TokenType::kOperator, op, "'" + std::string(op) + "'");
  }
  Status ExpectClose() { return Expect(TokenType::kCloseStatement, "", "'%}'"); }

  NodePtr Make(NodeKind kind, int line) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->line = line;
    return n;
  }
  // Records the subtree height; fails past kMaxNesting.
  Status Seal(Node* n) {
    int d = 0;
    for (const auto& k : n->kids) {
      if (k) d = std::max(d, k->depth);
    }
    n->depth = d + 1;
    if (n->depth > kMaxNesting) {
      return InvalidArgument("template line " + std::to_string(n->line) +
                             ": expression nested deeper than " + std::to_string(kMaxNesting));
    }
    return Status::Ok();
  }

  // ---- blocks and statements ----
  bool AtStatement(const std::vector<std::string_view>& words) const {
    if (!IsType(TokenType::kOpenStatement)) return false;
    const Token* name = Peek(1);
    return name && name->type == TokenType::kIdentifier &&
           std::find(words.begin(), words.end(), name->text) != words.end();
  }

  // Parses statements until one of `end_words` (left unconsumed) or the end of the tokens.
  Status ParseBlock(const std::vector<std::string_view>& end_words, NodeList* out) {
    static const std::vector<std::string_view> kEnders = {
        "endif", "elif", "else", "endfor", "endmacro", "endcall", "endfilter", "endset"};
    if (++block_depth_ > kMaxNesting) {
      return ErrorHere("blocks nested deeper than " + std::to_string(kMaxNesting));
    }
    while (pos_ < t_.size()) {
      if (AtStatement(end_words) || AtStatement(kEnders)) break;
      const Token& tok = t_[pos_];
      switch (tok.type) {
        case TokenType::kText: {
          auto n = Make(NodeKind::kText, tok.line);
          n->str = tok.text;
          out->push_back(std::move(n));
          ++pos_;
          break;
        }
        case TokenType::kComment: ++pos_; break;
        case TokenType::kOpenExpression: {
          ++pos_;
          auto n = Make(NodeKind::kOutput, tok.line);
          MT_ASSIGN_OR_RETURN(NodePtr e, ParseExpression());
          n->kids.push_back(std::move(e));
          MT_RETURN_IF_ERROR(Expect(TokenType::kCloseExpression, "", "'}}'"));
          out->push_back(std::move(n));
          break;
        }
        case TokenType::kOpenStatement: {
          MT_ASSIGN_OR_RETURN(NodePtr s, ParseStatement());
          if (s) out->push_back(std::move(s));
          break;
        }
        default: return Error(tok, "unexpected " + Describe(&tok) + " outside a tag");
      }
    }
    --block_depth_;
    return Status::Ok();
  }

  // Parses a block body that must end with `{% end_word %}` (or one of `also`), consuming the
  // end tag only when it is `end_word`.
  Status ParseBody(std::string_view opener, int open_line, std::string_view end_word,
                   const std::vector<std::string_view>& also, NodeList* out) {
    std::vector<std::string_view> words = also;
    words.push_back(end_word);
    MT_RETURN_IF_ERROR(ParseBlock(words, out));
    if (!AtStatement(words)) {
      const Token* tok = Peek(1);
      std::string found = tok ? "'" + tok->text + "'" : "end of template";
      return ErrorHere("expected '" + std::string(end_word) + "' to close '" +
                       std::string(opener) + "' opened on line " + std::to_string(open_line) +
                       ", found " + found);
    }
    return Status::Ok();
  }
  Status ConsumeEnd(std::string_view word) {
    pos_ += 2;  // {% word
    (void)word;
    return ExpectClose();
  }

  Result<NodePtr> ParseStatement() {
    const Token& open = t_[pos_++];
    const Token* name = Peek();
    if (!name || name->type != TokenType::kIdentifier) {
      return Error(open, "expected a statement name after '{%', found " + Describe(name));
    }
    const std::string word = name->text;
    const int line = name->line;
    ++pos_;
    if (word == "if") return ParseIf(line);
    if (word == "for") return ParseFor(line);
    if (word == "set") return ParseSet(line);
    if (word == "macro") return ParseMacro(line);
    if (word == "call") return ParseCallBlock(line);
    if (word == "filter") return ParseFilterBlock(line);
    if (word == "break" || word == "continue") {
      MT_RETURN_IF_ERROR(ExpectClose());
      return Make(word == "break" ? NodeKind::kBreak : NodeKind::kContinue, line);
    }
    return Error(*name, "unknown statement '" + word + "'");
  }

  Result<NodePtr> ParseIf(int line) {
    auto n = Make(NodeKind::kIf, line);
    MT_ASSIGN_OR_RETURN(NodePtr cond, ParseExpression());
    n->kids.push_back(std::move(cond));
    MT_RETURN_IF_ERROR(ExpectClose());
    MT_RETURN_IF_ERROR(ParseBody("if", line, "endif", {"elif", "else"}, &n->body));
    if (IsName("elif", 1)) {
      const int elif_line = t_[pos_ + 1].line;
      pos_ += 2;
      MT_ASSIGN_OR_RETURN(NodePtr nested, ParseIf(elif_line));
      n->alt.push_back(std::move(nested));
      return n;  // the nested if consumed endif
    }
    if (IsName("else", 1)) {
      pos_ += 2;
      MT_RETURN_IF_ERROR(ExpectClose());
      MT_RETURN_IF_ERROR(ParseBody("if", line, "endif", {}, &n->alt));
    }
    MT_RETURN_IF_ERROR(ConsumeEnd("endif"));
    return n;
  }

  Result<NodePtr> ParseTarget() {
    const int line = Line();
    std::vector<NodePtr> names;
    while (true) {
      const Token* tok = Peek();
      if (!tok || tok->type != TokenType::kIdentifier) {
        return ErrorHere("expected a loop variable name, found " + Describe(tok));
      }
      auto n = Make(NodeKind::kName, tok->line);
      n->str = tok->text;
      names.push_back(std::move(n));
      ++pos_;
      if (!IsOp(",")) break;
      ++pos_;
    }
    if (names.size() == 1) return std::move(names[0]);
    auto t = Make(NodeKind::kTuple, line);
    t->kids = std::move(names);
    MT_RETURN_IF_ERROR(Seal(t.get()));
    return t;
  }

  Result<NodePtr> ParseFor(int line) {
    auto n = Make(NodeKind::kFor, line);
    MT_ASSIGN_OR_RETURN(NodePtr target, ParseTarget());
    if (!IsName("in")) return ErrorHere("expected 'in' after the for-loop variable");
    ++pos_;
    MT_ASSIGN_OR_RETURN(NodePtr iter, ParseOr());
    NodePtr filter;
    if (IsName("if")) {
      ++pos_;
      MT_ASSIGN_OR_RETURN(filter, ParseOr());
    }
    n->kids.push_back(std::move(target));
    n->kids.push_back(std::move(iter));
    n->kids.push_back(std::move(filter));
    MT_RETURN_IF_ERROR(ExpectClose());
    MT_RETURN_IF_ERROR(ParseBody("for", line, "endfor", {"else"}, &n->body));
    if (IsName("else", 1)) {
      pos_ += 2;
      MT_RETURN_IF_ERROR(ExpectClose());
      MT_RETURN_IF_ERROR(ParseBody("for", line, "endfor", {}, &n->alt));
    }
    MT_RETURN_IF_ERROR(ConsumeEnd("endfor"));
    return n;
  }

  Result<NodePtr> ParseSet(int line) {
    auto n = Make(NodeKind::kSet, line);
    NodePtr target;
    if (IsType(TokenType::kIdentifier) && IsOp(".", 1)) {
      auto obj = Make(NodeKind::kName, Line());
      obj->str = Peek()->text;
      pos_ += 2;
      const Token* attr = Peek();
      if (!attr || attr->type != TokenType::kIdentifier) {
        return ErrorHere("expected an attribute name in 'set', found " + Describe(attr));
      }
      target = Make(NodeKind::kAttribute, line);
      target->str = attr->text;
      target->kids.push_back(std::move(obj));
      ++pos_;
    } else {
      MT_ASSIGN_OR_RETURN(target, ParseTarget());
    }
    n->kids.push_back(std::move(target));
    if (IsOp("=")) {
      ++pos_;
      MT_ASSIGN_OR_RETURN(NodePtr value, ParseExpressionSequence());
      n->kids.push_back(std::move(value));
      MT_RETURN_IF_ERROR(ExpectClose());
      return n;
    }
    n->kids.push_back(nullptr);
    MT_RETURN_IF_ERROR(ExpectClose());
    MT_RETURN_IF_ERROR(ParseBody("set", line, "endset", {}, &n->body));
    MT_RETURN_IF_ERROR(ConsumeEnd("endset"));
    return n;
  }

  Status ParseParams(NodeList* out) {
    MT_RETURN_IF_ERROR(ExpectOp("("));
    while (!IsOp(")")) {
      const Token* tok = Peek();
      if (!tok || tok->type != TokenType::kIdentifier) {
        return ErrorHere("expected a parameter name, found " + Describe(tok));
      }
      ++pos_;
      if (IsOp("=")) {
        ++pos_;
        auto kw = Make(NodeKind::kKeyword, tok->line);
        kw->str = tok->text;
        MT_ASSIGN_OR_RETURN(NodePtr def, ParseExpression());
        kw->kids.push_back(std::move(def));
        out->push_back(std::move(kw));
      } else {
        auto p = Make(NodeKind::kName, tok->line);
        p->str = tok->text;
        out->push_back(std::move(p));
      }
      if (!IsOp(",")) break;
      ++pos_;
    }
    return ExpectOp(")");
  }

  Result<NodePtr> ParseMacro(int line) {
    const Token* name = Peek();
    if (!name || name->type != TokenType::kIdentifier) {
      return ErrorHere("expected a macro name, found " + Describe(name));
    }
    auto n = Make(NodeKind::kMacro, line);
    n->str = name->text;
    ++pos_;
    MT_RETURN_IF_ERROR(ParseParams(&n->kids));
    MT_RETURN_IF_ERROR(ExpectClose());
    MT_RETURN_IF_ERROR(ParseBody("macro", line, "endmacro", {}, &n->body));
    MT_RETURN_IF_ERROR(ConsumeEnd("endmacro"));
    return n;
  }

  Result<NodePtr> ParseCallBlock(int line) {
    auto n = Make(NodeKind::kCallBlock, line);
    NodeList params;
    if (IsOp("(")) MT_RETURN_IF_ERROR(ParseParams(&params));
    MT_ASSIGN_OR_RETURN(NodePtr call, ParsePostfix());
    if (call->kind != NodeKind::kCall) {
      return Error(t_[pos_ - 1], "expected a macro call after 'call'");
    }
    n->kids.push_back(std::move(call));
    for (auto& p : params) n->kids.push_back(std::move(p));
    MT_RETURN_IF_ERROR(ExpectClose());
    MT_RETURN_IF_ERROR(ParseBody("call", line, "endcall", {}, &n->body));
    MT_RETURN_IF_ERROR(ConsumeEnd("endcall"));
    return n;
  }

  Result<NodePtr> ParseFilterBlock(int line) {
    auto n = Make(NodeKind::kFilterBlock, line);
    MT_ASSIGN_OR_RETURN(NodePtr filter, ParseFilterTail(nullptr, line));
    n->kids.push_back(std::move(filter));
    MT_RETURN_IF_ERROR(ExpectClose());
    MT_RETURN_IF_ERROR(ParseBody("filter", line, "endfilter", {}, &n->body));
    MT_RETURN_IF_ERROR(ConsumeEnd("endfilter"));
    return n;
  }

  // ---- expressions ----
  Result<NodePtr> ParseExpressionSequence() {
    const int line = Line();
    MT_ASSIGN_OR_RETURN(NodePtr first, ParseExpression());
    if (!IsOp(",")) return first;
    auto t = Make(NodeKind::kTuple, line);
    t->kids.push_back(std::move(first));
    while (IsOp(",")) {
      ++pos_;
      MT_ASSIGN_OR_RETURN(NodePtr e, ParseExpression());
      t->kids.push_back(std::move(e));
    }
    MT_RETURN_IF_ERROR(Seal(t.get()));
    return t;
  }

  Result<NodePtr> ParseExpression() {
    if (++expr_depth_ > kMaxNesting) {
      return ErrorHere("expression nested deeper than " + std::to_string(kMaxNesting));
    }
    auto r = ParseTernary();
    --expr_depth_;
    return r;
  }

  Result<NodePtr> ParseTernary() {
    MT_ASSIGN_OR_RETURN(NodePtr a, ParseOr());
    if (!IsName("if")) return a;
    const int line = Line();
    ++pos_;
    MT_ASSIGN_OR_RETURN(NodePtr cond, ParseOr());
    NodePtr other;
    if (IsName("else")) {
      ++pos_;
      MT_ASSIGN_OR_RETURN(other, ParseExpression());
    }
    auto n = Make(NodeKind::kTernary, line);
    n->kids.push_back(std::move(cond));
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(other));
    MT_RETURN_IF_ERROR(Seal(n.get()));
    return n;
  }

  Result<NodePtr> Binary(std::string op, int line, NodePtr l, NodePtr r) {
    auto n = Make(NodeKind::kBinary, line);
    n->str = std::move(op);
    n->kids.push_back(std::move(l));
    n->kids.push_back(std::move(r));
    MT_RETURN_IF_ERROR(Seal(n.get()));
    return n;
  }

  Result<NodePtr> ParseOr() {
    MT_ASSIGN_OR_RETURN(NodePtr l, ParseAnd());
    while (IsName("or")) {
      const int line = Line();
      ++pos_;
      MT_ASSIGN_OR_RETURN(NodePtr r, ParseAnd());
      MT_ASSIGN_OR_RETURN(l, Binary("or", line, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<NodePtr> ParseAnd() {
    MT_ASSIGN_OR_RETURN(NodePtr l, ParseNot());
    while (IsName("and")) {
      const int line = Line();
      ++pos_;
      MT_ASSIGN_OR_RETURN(NodePtr r, ParseNot());
      MT_ASSIGN_OR_RETURN(l, Binary("and", line, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<NodePtr> ParseNot() {
    if (!IsName("not")) return ParseComparison();
    const int line = Line();
    ++pos_;
    if (++expr_depth_ > kMaxNesting) {
      return ErrorHere("expression nested deeper than " + std::to_string(kMaxNesting));
    }
    auto arg = ParseNot();
    --expr_depth_;
    if (!arg.ok()) return arg.status();
    auto n = Make(NodeKind::kUnary, line);
    n->str = "not";
    n->kids.push_back(std::move(arg).value());
    MT_RETURN_IF_ERROR(Seal(n.get()));
    return n;
  }

  Result<NodePtr> ParseComparison() {
    MT_ASSIGN_OR_RETURN(NodePtr l, ParseAdditive());
    while (true) {
      const int line = Line();
      std::string op;
      if (IsName("not") && IsName("in", 1)) {
        op = "not in";
        pos_ += 2;
      } else if (IsName("in")) {
        op = "in";
        ++pos_;
      } else if (IsOp("==") || IsOp("!=") || IsOp("<") || IsOp(">") || IsOp("<=") ||
                 IsOp(">=")) {
        op = t_[pos_++].text;
      } else {
        break;
      }
      MT_ASSIGN_OR_RETURN(NodePtr r, ParseAdditive());
      MT_ASSIGN_OR_RETURN(l, Binary(op, line, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<NodePtr> ParseAdditive() {
    MT_ASSIGN_OR_RETURN(NodePtr l, ParseMultiplicative());
    while (IsOp("+") || IsOp("-") || IsOp("~")) {
      const int line = Line();
      std::string op = t_[pos_++].text;
      MT_ASSIGN_OR_RETURN(NodePtr r, ParseMultiplicative());
      MT_ASSIGN_OR_RETURN(l, Binary(op, line, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<NodePtr> ParseMultiplicative() {
    MT_ASSIGN_OR_RETURN(NodePtr l, ParsePower());
    while (IsOp("*") || IsOp("/") || IsOp("//") || IsOp("%")) {
      const int line = Line();
      std::string op = t_[pos_++].text;
      MT_ASSIGN_OR_RETURN(NodePtr r, ParsePower());
      MT_ASSIGN_OR_RETURN(l, Binary(op, line, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<NodePtr> ParsePower() {
    MT_ASSIGN_OR_RETURN(NodePtr l, ParseTest());
    while (IsOp("**")) {
      const int line = Line();
      ++pos_;
      MT_ASSIGN_OR_RETURN(NodePtr r, ParseTest());
      MT_ASSIGN_OR_RETURN(l, Binary("**", line, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<NodePtr> ParseTest() {
    MT_ASSIGN_OR_RETURN(NodePtr operand, ParseFilter());
    while (IsName("is")) {
      const int line = Line();
      ++pos_;
      auto n = Make(NodeKind::kTest, line);
      if (IsName("not")) {
        n->negate = true;
        ++pos_;
      }
      const Token* name = Peek();
      if (!name || name->type != TokenType::kIdentifier) {
        return ErrorHere("expected a test name after 'is', found " + Describe(name));
      }
      n->str = name->text;
      ++pos_;
      n->kids.push_back(std::move(operand));
      if (IsOp("(")) {
        MT_RETURN_IF_ERROR(ParseCallArgs(&n->kids));
      } else if (IsType(TokenType::kNumber) || IsType(TokenType::kString) || IsName("none") ||
                 IsName("true") || IsName("false")) {
        MT_ASSIGN_OR_RETURN(NodePtr arg, ParsePrimary());
        n->kids.push_back(std::move(arg));
      }
      MT_RETURN_IF_ERROR(Seal(n.get()));
      operand = std::move(n);
    }
    return operand;
  }

  // `| name` or `| name(args)` applied to `operand` (null inside a filter block).
  Result<NodePtr> ParseFilterTail(NodePtr operand, int line) {
    const Token* name = Peek();
    if (!name || name->type != TokenType::kIdentifier) {
      return ErrorHere("expected a filter name, found " + Describe(name));
    }
    auto n = Make(NodeKind::kFilter, line);
    n->str = name->text;
    ++pos_;
    n->kids.push_back(std::move(operand));
    if (IsOp("(")) MT_RETURN_IF_ERROR(ParseCallArgs(&n->kids));
    MT_RETURN_IF_ERROR(Seal(n.get()));
    return n;
  }

  Result<NodePtr> ParseFilter() {
    MT_ASSIGN_OR_RETURN(NodePtr operand, ParseUnary());
    while (IsOp("|")) {
      const int line = Line();
      ++pos_;
      MT_ASSIGN_OR_RETURN(operand, ParseFilterTail(std::move(operand), line));
    }
    return operand;
  }

  Result<NodePtr> ParseUnary() {
    if (!IsOp("-") && !IsOp("+")) return ParsePostfix();
    const int line = Line();
    std::string op = t_[pos_++].text;
    if (++expr_depth_ > kMaxNesting) {
      return ErrorHere("expression nested deeper than " + std::to_string(kMaxNesting));
    }
    auto arg = ParseUnary();
    --expr_depth_;
    if (!arg.ok()) return arg.status();
    auto n = Make(NodeKind::kUnary, line);
    n->str = op;
    n->kids.push_back(std::move(arg).value());
    MT_RETURN_IF_ERROR(Seal(n.get()));
    return n;
  }

  // Appends call arguments `( a, b, key=c )` to `out`.
  Status ParseCallArgs(NodeList* out) {
    MT_RETURN_IF_ERROR(ExpectOp("("));
    while (!IsOp(")")) {
      if (IsType(TokenType::kIdentifier) && IsOp("=", 1)) {
        auto kw = Make(NodeKind::kKeyword, Line());
        kw->str = Peek()->text;
        pos_ += 2;
        MT_ASSIGN_OR_RETURN(NodePtr v, ParseExpression());
        kw->kids.push_back(std::move(v));
        MT_RETURN_IF_ERROR(Seal(kw.get()));
        out->push_back(std::move(kw));
      } else {
        MT_ASSIGN_OR_RETURN(NodePtr v, ParseExpression());
        out->push_back(std::move(v));
      }
      if (!IsOp(",")) break;
      ++pos_;
    }
    return ExpectOp(")");
  }

  Result<NodePtr> ParsePostfix() {
    MT_ASSIGN_OR_RETURN(NodePtr obj, ParsePrimary());
    while (true) {
      const int line = Line();
      if (IsOp(".")) {
        ++pos_;
        const Token* tok = Peek();
        if (tok && tok->type == TokenType::kNumber) {
          auto n = Make(NodeKind::kIndex, line);
          auto idx = Make(NodeKind::kInt, line);
          idx->ival = std::strtoll(tok->text.c_str(), nullptr, 10);
          ++pos_;
          n->kids.push_back(std::move(obj));
          n->kids.push_back(std::move(idx));
          obj = std::move(n);
        } else if (tok && tok->type == TokenType::kIdentifier) {
          auto n = Make(NodeKind::kAttribute, line);
          n->str = tok->text;
          ++pos_;
          n->kids.push_back(std::move(obj));
          obj = std::move(n);
        } else {
          return ErrorHere("expected an attribute name after '.', found " + Describe(tok));
        }
      } else if (IsOp("[")) {
        ++pos_;
        MT_ASSIGN_OR_RETURN(obj, ParseSubscript(std::move(obj), line));
      } else if (IsOp("(")) {
        auto n = Make(NodeKind::kCall, line);
        n->kids.push_back(std::move(obj));
        MT_RETURN_IF_ERROR(ParseCallArgs(&n->kids));
        obj = std::move(n);
      } else {
        break;
      }
      MT_RETURN_IF_ERROR(Seal(obj.get()));
    }
    return obj;
  }

  Result<NodePtr> ParseSubscript(NodePtr obj, int line) {
    NodePtr parts[3];
    int count = 0;
    bool slice = false;
    while (!IsOp("]")) {
      if (!Peek()) return ErrorHere("expected ']', found end of template");
      if (count >= 3) return ErrorHere("a slice takes at most 3 parts");
      if (IsOp(":")) {
        ++pos_;
        ++count;
        slice = true;
        continue;
      }
      MT_ASSIGN_OR_RETURN(parts[count], ParseExpression());
      if (IsOp(":")) {
        ++pos_;
        slice = true;
        ++count;
      } else if (!IsOp("]")) {
        return ErrorHere("expected ']' or ':' in subscript, found " + Describe(Peek()));
      } else {
        ++count;
      }
    }
    ++pos_;  // ]
    if (count == 0) return ErrorHere("empty subscript '[]'");
    auto n = Make(slice ? NodeKind::kSlice : NodeKind::kIndex, line);
    n->kids.push_back(std::move(obj));
    if (slice) {
      for (auto& p : parts) n->kids.push_back(std::move(p));
    } else {
      n->kids.push_back(std::move(parts[0]));
    }
    return n;
  }

  Result<NodePtr> ParsePrimary() {
    const Token* tok = Peek();
    if (!tok) return ErrorHere("expected an expression, found end of template");
    const int line = tok->line;
    switch (tok->type) {
      case TokenType::kNumber: {
        ++pos_;
        if (tok->text.find('.') != std::string::npos) {
          auto n = Make(NodeKind::kFloat, line);
          n->fval = std::strtod(tok->text.c_str(), nullptr);
          return n;
        }
        errno = 0;
        const long long v = std::strtoll(tok->text.c_str(), nullptr, 10);
        if (errno == ERANGE) {
          auto n = Make(NodeKind::kFloat, line);
          n->fval = std::strtod(tok->text.c_str(), nullptr);
          return n;
        }
        auto n = Make(NodeKind::kInt, line);
        n->ival = v;
        return n;
      }
      case TokenType::kString: {
        auto n = Make(NodeKind::kString, line);
        while (IsType(TokenType::kString)) n->str += t_[pos_++].text;
        return n;
      }
      case TokenType::kIdentifier: {
        ++pos_;
        auto n = Make(NodeKind::kName, line);
        n->str = tok->text;
        return n;
      }
      case TokenType::kOperator: break;
      default: return ErrorHere("expected an expression, found " + Describe(tok));
    }
    if (tok->text == "(") {
      ++pos_;
      MT_ASSIGN_OR_RETURN(NodePtr e, ParseExpressionSequence());
      MT_RETURN_IF_ERROR(ExpectOp(")"));
      return e;
    }
    if (tok->text == "[") {
      ++pos_;
      auto n = Make(NodeKind::kList, line);
      while (!IsOp("]")) {
        MT_ASSIGN_OR_RETURN(NodePtr e, ParseExpression());
        n->kids.push_back(std::move(e));
        if (!IsOp(",")) break;
        ++pos_;
      }
      MT_RETURN_IF_ERROR(ExpectOp("]"));
      MT_RETURN_IF_ERROR(Seal(n.get()));
      return n;
    }
    if (tok->text == "{") {
      ++pos_;
      auto n = Make(NodeKind::kDict, line);
      while (!IsOp("}")) {
        MT_ASSIGN_OR_RETURN(NodePtr k, ParseExpression());
        MT_RETURN_IF_ERROR(ExpectOp(":"));
        MT_ASSIGN_OR_RETURN(NodePtr v, ParseExpression());
        n->kids.push_back(std::move(k));
        n->kids.push_back(std::move(v));
        if (!IsOp(",")) break;
        ++pos_;
      }
      MT_RETURN_IF_ERROR(ExpectOp("}"));
      MT_RETURN_IF_ERROR(Seal(n.get()));
      return n;
    }
    return ErrorHere("expected an expression, found " + Describe(tok));
  }

  const std::vector<Token>& t_;
  size_t pos_ = 0;
  int block_depth_ = 0;
  int expr_depth_ = 0;
};

}  // namespace

Result<NodeList> Parse(const std::vector<Token>& tokens) {
  Parser p(tokens);
  return p.ParseTemplate();
}

}  // namespace miaotui::tmpl
