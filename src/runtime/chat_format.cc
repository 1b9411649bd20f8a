#include "runtime/chat_format.h"

#include "template/template.h"

namespace miaotui::runtime {
namespace {

constexpr std::string_view kSpace = " \t\r\n";

std::string_view TrimWhitespace(std::string_view s) {
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<ChatFormat> ChatFormat::Create(std::string tmpl, std::optional<std::string> bos_token,
                                      std::optional<std::string> eos_token) {
  MT_RETURN_IF_ERROR(Template::Parse(tmpl).status());
  ChatFormat f;
  f.tmpl_ = std::move(tmpl);
  f.bos_ = std::move(bos_token);
  f.eos_ = std::move(eos_token);
  f.end_of_turn_ = f.FindEndOfTurn();
  return f;
}

Result<std::string> ChatFormat::Render(const nlohmann::json& messages,
                                       bool add_generation_prompt) const {
  ChatTemplateInputs in;
  in.add_generation_prompt = add_generation_prompt;
  in.bos_token = bos_;
  in.eos_token = eos_;
  return ApplyChatTemplate(tmpl_, messages, in);
}

// The text after an assistant reply, both where the conversation ends there and where another
// user turn follows; their common start is the end of the turn (Phi-3 adds eos_token at the end
// of a conversation, every template adds the next turn's header after a reply).
std::string ChatFormat::FindEndOfTurn() const {
  static constexpr char kReply[] = "\x1f" "miaotui-reply-probe" "\x1f";
  static constexpr char kNext[] = "\x1f" "miaotui-next-probe" "\x1f";
  nlohmann::json messages = nlohmann::json::array();
  messages.push_back({{"role", "user"}, {"content", "Hi"}});
  messages.push_back({{"role", "assistant"}, {"content", kReply}});
  auto last = Render(messages, false);
  if (!last.ok()) return "";
  size_t at = last->rfind(kReply);
  if (at == std::string::npos) return "";
  std::string_view after = std::string_view(*last).substr(at + sizeof(kReply) - 1);
  messages.push_back({{"role", "user"}, {"content", kNext}});
  auto more = Render(messages, true);
  if (more.ok()) {
    size_t r = more->find(kReply), n = more->find(kNext);
    if (r != std::string::npos && n != std::string::npos && n > r) {
      std::string_view between =
          std::string_view(*more).substr(r + sizeof(kReply) - 1, n - r - (sizeof(kReply) - 1));
      size_t common = 0;
      while (common < after.size() && common < between.size() &&
             after[common] == between[common]) {
        ++common;
      }
      // Diverging inside a token ("<|end|>\n<|endoftext|>" vs "<|end|>\n<|user|>"): back off to
      // the end of the last whole one.
      if (common < after.size()) {
        while (common > 0 && after[common - 1] != '>' && after[common - 1] != ']' &&
               kSpace.find(after[common - 1]) == std::string_view::npos) {
          --common;
        }
      }
      after = after.substr(0, common);
    }
  }
  return std::string(TrimWhitespace(after));
}

std::vector<int32_t> ChatFormat::Tokenize(const tokenizer::Tokenizer& tok,
                                          std::string_view text) const {
  std::vector<int32_t> ids = tok.Encode(text, /*add_special=*/false, /*parse_special=*/true);
  const int32_t bos = tok.bos_id();
  if (tok.vocab().add_bos && bos >= 0 && (ids.empty() || ids[0] != bos)) {
    ids.insert(ids.begin(), bos);
  }
  return ids;
}

}  // namespace miaotui::runtime
