#include "tokenizer/regex_split.h"

#include <algorithm>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace miaotui::tokenizer {

struct RegexSplitter::Compiled {
  pcre2_code* code = nullptr;
  bool remove = false;
  bool jit = false;
};

namespace {

// Per-call match state: match data and a JIT stack large enough for long runs of one class.
class MatchState {
 public:
  explicit MatchState(const pcre2_code* code) {
    data_ = pcre2_match_data_create_from_pattern(code, nullptr);
    ctx_ = pcre2_match_context_create(nullptr);
    stack_ = pcre2_jit_stack_create(32 * 1024, 16 * 1024 * 1024, nullptr);
    if (ctx_ != nullptr && stack_ != nullptr) pcre2_jit_stack_assign(ctx_, nullptr, stack_);
  }
  ~MatchState() {
    pcre2_match_data_free(data_);
    pcre2_match_context_free(ctx_);
    pcre2_jit_stack_free(stack_);
  }
  MatchState(const MatchState&) = delete;
  MatchState& operator=(const MatchState&) = delete;
  pcre2_match_data* data() const { return data_; }
  pcre2_match_context* ctx() const { return ctx_; }

 private:
  pcre2_match_data* data_ = nullptr;
  pcre2_match_context* ctx_ = nullptr;
  pcre2_jit_stack* stack_ = nullptr;
};

size_t Utf8CharLen(std::string_view s, size_t pos) {
  const auto c = static_cast<uint8_t>(s[pos]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return std::min(n, s.size() - pos);
}

}  // namespace

Result<std::unique_ptr<RegexSplitter>> RegexSplitter::Create(const std::vector<SplitRule>& rules) {
  std::unique_ptr<RegexSplitter> s(new RegexSplitter());
  for (const SplitRule& r : rules) {
    uint32_t options = PCRE2_UTF | PCRE2_NO_UTF_CHECK;
    options |= r.literal ? PCRE2_LITERAL : PCRE2_UCP | PCRE2_DOLLAR_ENDONLY;
    int err = 0;
    PCRE2_SIZE err_off = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(r.pattern.data()),
                                     r.pattern.size(), options, &err, &err_off, nullptr);
    if (code == nullptr) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(err, msg, sizeof(msg));
      return InvalidArgument("pre-tokenizer regex '" + r.pattern + "' does not compile (at " +
                             std::to_string(err_off) + ": " + reinterpret_cast<char*>(msg) + ")");
    }
    Compiled c;
    c.code = code;
    c.remove = r.remove;
    c.jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    s->rules_.push_back(c);
  }
  return s;
}

RegexSplitter::~RegexSplitter() {
  for (Compiled& c : rules_) pcre2_code_free(c.code);
}

void RegexSplitter::Split(std::string_view text, std::vector<std::string_view>* out) const {
  if (text.empty()) return;
  std::vector<std::string_view> pieces{text}, next;
  for (const Compiled& rule : rules_) {
    MatchState st(rule.code);
    if (st.data() == nullptr) continue;  // out of memory: skip the rule
    next.clear();
    for (std::string_view piece : pieces) {
      const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
      size_t gap_start = 0, pos = 0;
      while (pos < piece.size()) {
        const int rc = rule.jit ? pcre2_jit_match(rule.code, subject, piece.size(), pos, 0,
                                                  st.data(), st.ctx())
                                : pcre2_match(rule.code, subject, piece.size(), pos,
                                              PCRE2_NO_UTF_CHECK, st.data(), st.ctx());
        if (rc < 0) break;  // no match (or a resource error): the rest is one gap
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.data());
        const size_t m0 = ov[0], m1 = ov[1];
        if (m1 <= m0 || m0 < pos || m1 > piece.size()) {  // empty match: move on one character
          const size_t at = std::max(pos, m0);
          if (at >= piece.size()) break;
          pos = at + Utf8CharLen(piece, at);
          continue;
        }
        if (m0 > gap_start) next.push_back(piece.substr(gap_start, m0 - gap_start));
        if (!rule.remove) next.push_back(piece.substr(m0, m1 - m0));
        gap_start = pos = m1;
      }
      if (gap_start < piece.size()) next.push_back(piece.substr(gap_start));
    }
    pieces.swap(next);
  }
  out->insert(out->end(), pieces.begin(), pieces.end());
}

}  // namespace miaotui::tokenizer
