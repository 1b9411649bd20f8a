#include "runtime/chat.h"

#include <chrono>

#include "base/mmap_file.h"
#include "formats/json_file.h"
#include "runtime/stop_text.h"

namespace miaotui::runtime {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

nlohmann::json Message(std::string_view role, std::string_view content) {
  return {{"role", role}, {"content", content}};
}

}  // namespace

Chat::Chat(Session& session, ChatFormat format, ChatOptions options)
    : session_(session),
      format_(std::move(format)),
      options_(std::move(options)),
      cache_(session),
      sampler_(options_.sampling) {
  Reset();
}

Result<std::unique_ptr<Chat>> Chat::Create(Session& session, ChatFormat format,
                                           ChatOptions options) {
  MT_RETURN_IF_ERROR(options.sampling.Validate());
  return std::unique_ptr<Chat>(new Chat(session, std::move(format), std::move(options)));
}

void Chat::Reset() {
  messages_ = nlohmann::json::array();
  if (options_.system) messages_.push_back(Message("system", *options_.system));
}

Result<ChatReply> Chat::Send(std::string_view user_text,
                             const std::function<void(std::string_view)>& on_text,
                             const std::atomic<bool>* cancel) {
  messages_.push_back(Message("user", user_text));
  const double t0 = Now();
  auto logits = EvaluatePrompt();
  if (!logits.ok()) {
    messages_.erase(messages_.size() - 1);
    return logits.status();
  }
  const double prompt_seconds = Now() - t0;
  MT_ASSIGN_OR_RETURN(ChatReply reply, Generate(*logits, on_text, cancel));
  reply.prompt_seconds = prompt_seconds;
  messages_.push_back(Message("assistant", reply.text));
  return reply;
}

Result<std::span<const float>> Chat::EvaluatePrompt() {
  MT_ASSIGN_OR_RETURN(std::string prompt, format_.Render(messages_, true));
  std::vector<int32_t> ids = format_.Tokenize(session_.model().tokenizer(), prompt);
  return cache_.Sync(ids);
}

Result<ChatReply> Chat::Generate(std::span<const float> logits,
                                 const std::function<void(std::string_view)>& on_text,
                                 const std::atomic<bool>* cancel) {
  const tokenizer::Tokenizer& tok = session_.model().tokenizer();
  ChatReply reply;
  reply.prompt_reused = cache_.last_reused();
  reply.prompt_evaluated = cache_.last_evaluated();
  StopTextFilter filter({format_.EndOfTurn()});
  auto emit = [&](const std::string& s) {
    if (!s.empty() && on_text) on_text(s);
  };
  const double t0 = Now();
  for (;;) {
    if (cancel != nullptr && cancel->load()) {
      reply.reason = StopReason::kCancelled;
      break;
    }
    if (options_.n_predict >= 0 && reply.n_tokens >= options_.n_predict) {
      reply.reason = StopReason::kLength;
      break;
    }
    const int32_t id = sampler_.Sample(logits, cache_.tokens());
    if (tok.IsEndOfGeneration(id)) {
      reply.reason = StopReason::kEndOfGeneration;
      break;
    }
    ++reply.n_tokens;
    emit(filter.Push(tok.TokenToPiece(id)));
    if (filter.stopped()) {
      reply.reason = StopReason::kEndOfTurnText;
      break;
    }
    if (static_cast<int64_t>(cache_.tokens().size()) >= cache_.n_ctx()) {
      reply.reason = StopReason::kContextFull;
      break;
    }
    MT_ASSIGN_OR_RETURN(logits, cache_.Append(id));
  }
  emit(filter.Flush());
  reply.text = filter.text();
  reply.generate_seconds = Now() - t0;
  return reply;
}

Status Chat::Save(const std::string& path) const {
  std::string text =
      messages_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return WriteFileAtomically(path, text.data(), text.size());
}

Status Chat::Load(const std::string& path) {
  MT_ASSIGN_OR_RETURN(nlohmann::json j, formats::ReadJsonFile(path));
  if (!j.is_array()) {
    return InvalidArgument(path + ": expected a JSON list of messages, found " +
                           formats::JsonDescribe(j));
  }
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& m = j[i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() ||
        !m.contains("content") || !m["content"].is_string()) {
      return InvalidArgument(path + ": message " + std::to_string(i) +
                             " must be {\"role\": string, \"content\": string}, found " +
                             formats::JsonDescribe(m));
    }
  }
  messages_ = std::move(j);
  return Status::Ok();
}

}  // namespace miaotui::runtime
