#include "request_parse.h"

#include <random>

namespace miaotui::server {
namespace {

using nlohmann::json;
using MaybeError = std::optional<ApiError>;

std::string TypeName(const json& v) { return v.type_name(); }

MaybeError WrongType(const std::string& field, const char* want, const json& got) {
  return BadField(field, "'" + field + "' must be " + want + ", got " + TypeName(got),
                  "invalid_type");
}

// Each getter leaves *out alone when the field is absent or null.
MaybeError GetFloat(const json& o, const char* key, double lo, double hi, float* out) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) return WrongType(key, "a number", *it);
  const double v = it->get<double>();
  if (!(v >= lo && v <= hi)) {
    return BadField(key, "'" + std::string(key) + "' must be in [" + std::to_string(lo) + ", " +
                             std::to_string(hi) + "], got " + it->dump());
  }
  *out = static_cast<float>(v);
  return std::nullopt;
}

MaybeError GetInt(const json& o, const char* key, int64_t lo, int64_t hi, int64_t* out) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) return WrongType(key, "an integer", *it);
  const int64_t v = AsInt64(*it);
  if (v < lo || v > hi) {
    return BadField(key, "'" + std::string(key) + "' must be in [" + std::to_string(lo) + ", " +
                             std::to_string(hi) + "], got " + it->dump());
  }
  *out = v;
  return std::nullopt;
}

MaybeError GetBool(const json& o, const char* key, bool* out) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) return WrongType(key, "a boolean", *it);
  *out = it->get<bool>();
  return std::nullopt;
}

MaybeError GetString(const json& o, const char* key, std::string* out) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return WrongType(key, "a string", *it);
  *out = it->get<std::string>();
  return std::nullopt;
}

#define MT_API_TRY(expr)                  \
  do {                                    \
    if (MaybeError e_ = (expr)) return e_; \
  } while (0)

MaybeError ParseStop(const json& o, const Limits& limits, std::vector<std::string>* out) {
  auto it = o.find("stop");
  if (it == o.end() || it->is_null()) return std::nullopt;
  std::vector<json> items;
  if (it->is_string()) {
    items.push_back(*it);
  } else if (it->is_array()) {
    if (it->size() > limits.max_stop) {
      return BadField("stop", "'stop' has " + std::to_string(it->size()) +
                                  " strings; at most " + std::to_string(limits.max_stop));
    }
    for (const auto& s : *it) items.push_back(s);
  } else {
    return WrongType("stop", "a string or an array of strings", *it);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string field = it->is_array() ? "stop[" + std::to_string(i) + "]" : "stop";
    if (!items[i].is_string()) return WrongType(field, "a string", items[i]);
    std::string s = items[i].get<std::string>();
    if (s.size() > limits.max_stop_bytes) {
      return BadField(field, "'" + field + "' is longer than " +
                                 std::to_string(limits.max_stop_bytes) + " bytes");
    }
    if (!s.empty()) out->push_back(std::move(s));
  }
  return std::nullopt;
}

MaybeError ParseSpec(const json& o, const Limits& limits, const runtime::SamplingParams& defaults,
                     bool chat, GenerationSpec* spec) {
  spec->sampling = defaults;
  MT_API_TRY(GetString(o, "model", &spec->model));
  MT_API_TRY(GetFloat(o, "temperature", 0, 2, &spec->sampling.temperature));
  MT_API_TRY(GetFloat(o, "top_p", 0, 1, &spec->sampling.top_p));
  if (o.contains("top_p") && spec->sampling.top_p <= 0) {
    return BadField("top_p", "'top_p' must be greater than 0");
  }
  MT_API_TRY(GetFloat(o, "min_p", 0, 0.999, &spec->sampling.min_p));
  MT_API_TRY(GetFloat(o, "presence_penalty", -2, 2, &spec->sampling.presence_penalty));
  MT_API_TRY(GetFloat(o, "frequency_penalty", -2, 2, &spec->sampling.frequency_penalty));
  MT_API_TRY(GetFloat(o, "repeat_penalty", 0.01, 10, &spec->sampling.repeat_penalty));
  int64_t v = spec->sampling.top_k;
  MT_API_TRY(GetInt(o, "top_k", 0, 1 << 30, &v));
  spec->sampling.top_k = static_cast<int32_t>(v);
  v = -1;
  MT_API_TRY(GetInt(o, "seed", INT64_MIN, INT64_MAX, &v));
  if (o.contains("seed") && !o["seed"].is_null()) {
    spec->sampling.seed = static_cast<uint64_t>(v);
  } else {
    spec->sampling.seed = std::random_device{}();
  }
  v = limits.default_max_tokens;
  const char* max_key = "max_tokens";
  if (chat && o.contains("max_completion_tokens") && !o["max_completion_tokens"].is_null()) {
    max_key = "max_completion_tokens";
  }
  MT_API_TRY(GetInt(o, max_key, 1, limits.max_tokens, &v));
  spec->max_tokens = static_cast<int32_t>(v);
  v = 1;
  MT_API_TRY(GetInt(o, "n", 1, 1 << 20, &v));
  if (v != 1) return BadField("n", "only n=1 is supported, got " + std::to_string(v));
  MT_API_TRY(ParseStop(o, limits, &spec->stop));
  MT_API_TRY(GetBool(o, "stream", &spec->stream));
  if (auto it = o.find("stream_options"); it != o.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType("stream_options", "an object", *it);
    if (MaybeError e = GetBool(*it, "include_usage", &spec->include_usage)) {
      e->param = "stream_options.include_usage";
      return e;
    }
  }
  if (chat) {
    MT_API_TRY(GetBool(o, "logprobs", &spec->logprobs));
    v = 0;
    MT_API_TRY(GetInt(o, "top_logprobs", 0, 20, &v));
    spec->top_logprobs = static_cast<int32_t>(v);
    if (v > 0 && !spec->logprobs) {
      return BadField("top_logprobs", "'top_logprobs' needs 'logprobs': true");
    }
  } else {
    v = -1;
    MT_API_TRY(GetInt(o, "logprobs", 0, 20, &v));
    spec->logprobs = v >= 0;
    spec->top_logprobs = static_cast<int32_t>(std::max<int64_t>(v, 0));
    bool echo = false;
    MT_API_TRY(GetBool(o, "echo", &echo));
    if (echo) return BadField("echo", "'echo' is not supported");
  }
  if (auto it = o.find("response_format"); it != o.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType("response_format", "an object", *it);
    std::string type = "text";
    if (MaybeError e = GetString(*it, "type", &type)) {
      e->param = "response_format.type";
      return e;
    }
    if (type == "json_object") {
      spec->json_object = true;
    } else if (type != "text") {
      return BadField("response_format.type", "response_format type '" + type +
                                                  "' is not supported (use 'text' or "
                                                  "'json_object')");
    }
  }
  return std::nullopt;
}

}  // namespace

int64_t AsInt64(const json& v) {
  if (v.is_number_unsigned()) {
    return static_cast<int64_t>(std::min<uint64_t>(v.get<uint64_t>(), INT64_MAX));
  }
  return v.get<int64_t>();
}

MaybeError ParseBody(const std::string& body, json* out) {
  *out = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out->is_discarded()) {
    ApiError e;
    e.message = "the request body is not valid JSON";
    e.code = "invalid_json";
    return e;
  }
  if (!out->is_object()) {
    ApiError e;
    e.message = "the request body must be a JSON object, got " + TypeName(*out);
    e.code = "invalid_type";
    return e;
  }
  return std::nullopt;
}

MaybeError ParseChatRequest(const json& body, const Limits& limits,
                            const runtime::SamplingParams& default_sampling, ChatRequest* out) {
  MT_API_TRY(ParseSpec(body, limits, default_sampling, /*chat=*/true, &out->spec));
  auto it = body.find("messages");
  if (it == body.end() || it->is_null()) {
    return BadField("messages", "'messages' is required", "missing_required_parameter");
  }
  if (!it->is_array()) return WrongType("messages", "an array", *it);
  if (it->empty()) return BadField("messages", "'messages' must not be empty");
  if (it->size() > limits.max_messages) {
    return BadField("messages", "'messages' has " + std::to_string(it->size()) +
                                    " entries; at most " + std::to_string(limits.max_messages));
  }
  out->messages = json::array();
  for (size_t i = 0; i < it->size(); ++i) {
    const json& m = (*it)[i];
    const std::string field = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return WrongType(field, "an object", m);
    auto role = m.find("role");
    if (role == m.end() || !role->is_string()) {
      return role == m.end() ? BadField(field + ".role", "'" + field + ".role' is required",
                                        "missing_required_parameter")
                             : WrongType(field + ".role", "a string", *role);
    }
    std::string r = role->get<std::string>();
    if (r == "developer") r = "system";
    if (r != "system" && r != "user" && r != "assistant" && r != "tool") {
      return BadField(field + ".role", "'" + field + ".role' must be system, user, assistant, "
                                       "tool or developer, got '" + r + "'");
    }
    std::string text;
    auto content = m.find("content");
    if (content == m.end() || content->is_null()) {
      if (r != "assistant") {
        return BadField(field + ".content", "'" + field + ".content' is required",
                        "missing_required_parameter");
      }
    } else if (content->is_string()) {
      text = content->get<std::string>();
    } else if (content->is_array()) {
      for (size_t k = 0; k < content->size(); ++k) {
        const json& part = (*content)[k];
        const std::string pf = field + ".content[" + std::to_string(k) + "]";
        if (!part.is_object()) return WrongType(pf, "an object", part);
        auto type = part.find("type");
        if (type == part.end() || !type->is_string() || *type != "text") {
          return BadField(pf + ".type", "only content parts of type 'text' are supported");
        }
        auto t = part.find("text");
        if (t == part.end() || !t->is_string()) {
          return BadField(pf + ".text", "'" + pf + ".text' must be a string", "invalid_type");
        }
        text += t->get<std::string>();
      }
    } else {
      return WrongType(field + ".content", "a string or an array of content parts", *content);
    }
    out->messages.push_back({{"role", r}, {"content", text}});
  }
  return std::nullopt;
}

MaybeError ParseCompletionRequest(const json& body, const Limits& limits,
                                  const runtime::SamplingParams& default_sampling,
                                  CompletionRequest* out) {
  MT_API_TRY(ParseSpec(body, limits, default_sampling, /*chat=*/false, &out->spec));
  auto it = body.find("prompt");
  if (it == body.end() || it->is_null()) {
    return BadField("prompt", "'prompt' is required", "missing_required_parameter");
  }
  const json* p = &*it;
  // A one-element batch is accepted as that element.
  if (p->is_array() && p->size() == 1 && ((*p)[0].is_string() || (*p)[0].is_array())) {
    p = &(*p)[0];
  }
  if (p->is_string()) {
    out->prompt_text = p->get<std::string>();
    return std::nullopt;
  }
  if (!p->is_array()) return WrongType("prompt", "a string or an array of token ids", *p);
  if (p->empty()) return BadField("prompt", "'prompt' must not be empty");
  if (p->size() > limits.max_prompt_tokens_array) {
    return BadField("prompt", "'prompt' has too many tokens");
  }
  for (size_t i = 0; i < p->size(); ++i) {
    const json& t = (*p)[i];
    if (!t.is_number_integer()) {
      if (t.is_string() || t.is_array()) {
        return BadField("prompt", "only one prompt per request is supported (n=1)");
      }
      return WrongType("prompt[" + std::to_string(i) + "]", "an integer token id", t);
    }
    const int64_t id = AsInt64(t);
    if (id < 0 || id > INT32_MAX) {
      return BadField("prompt[" + std::to_string(i) + "]", "token id out of range");
    }
    out->prompt_tokens.push_back(static_cast<int32_t>(id));
  }
  return std::nullopt;
}

}  // namespace miaotui::server
