// `miaotui template` against the shared chat-template fixtures: every case of
// ../shared/fixtures/chat-templates/cases.json rendered through --template <family>.jinja with
// the bos/eos strings of templates.json, stdout compared byte for byte; the cases where the
// reference raises must exit 1 with exactly its message. Also: -m MODEL reads the model's own
// template, and a model without one is a clear error.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "chat_model.h"
#include "cli_run.h"

namespace miaotui {
namespace {

using testing::RunMiaotui;
using testing::SharedPath;
using testing::ShellQuote;
using testing::ModelWithTemplate;
using testing::TempDir;

constexpr char kDir[] = "fixtures/chat-templates/";

struct Family {
  std::string file;
  nlohmann::json bos, eos;  // string or null
};

std::map<std::string, Family> ReadFamilies() {
  auto j = nlohmann::json::parse(testing::ReadWholeFile(SharedPath(std::string(kDir) +
                                                                   "templates.json")));
  std::map<std::string, Family> out;
  for (const auto& t : j["templates"]) {
    out[t["family"]] = {t["file"], t.value("bos_token", nlohmann::json()),
                        t.value("eos_token", nlohmann::json())};
  }
  return out;
}

std::string TokenArgs(const nlohmann::json& bos, const nlohmann::json& eos) {
  std::string a;
  if (bos.is_string()) a += " --bos-token " + ShellQuote(bos.get<std::string>());
  if (eos.is_string()) a += " --eos-token " + ShellQuote(eos.get<std::string>());
  return a;
}

TEST(TemplateCliTest, EverySharedCaseByteForByte) {
  MT_REQUIRE_SHARED(std::string(kDir) + "cases.json");
  auto families = ReadFamilies();
  auto cases = nlohmann::json::parse(
      testing::ReadWholeFile(SharedPath(std::string(kDir) + "cases.json")));
  ASSERT_EQ(cases.size(), 60u);
  TempDir dir;
  int n_errors = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const Family& f = families.at(c["family"]);
    std::string messages = dir.File("m" + std::to_string(i) + ".json");
    testing::WriteWholeFile(messages, c["messages"].dump());
    std::string args = "template --template " + ShellQuote(SharedPath(kDir + f.file)) +
                       " --messages " + messages + TokenArgs(f.bos, f.eos) +
                       (c["add_generation_prompt"].get<bool>() ? " --add-generation-prompt" : "");
    auto r = RunMiaotui(args);
    SCOPED_TRACE("case " + std::to_string(i) + " (" + c["family"].get<std::string>() + ")");
    if (c.contains("error")) {
      ++n_errors;
      EXPECT_EQ(r.status, 1);
      EXPECT_EQ(r.out, "");
      EXPECT_EQ(r.err, "miaotui: error: " + c["error"].get<std::string>() + "\n");
    } else {
      EXPECT_EQ(r.status, 0) << r.err;
      EXPECT_EQ(r.out, c["expected"].get<std::string>());
      EXPECT_EQ(r.err, "");
    }
  }
  EXPECT_EQ(n_errors, 2);
}

TEST(TemplateCliTest, ModelTemplateAndTokensByDefault) {
  MT_REQUIRE_SHARED(testing::kStoriesModel);
  TempDir dir;
  std::string model = ModelWithTemplate(
      dir, "{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ eos_token }}"
           "{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}");
  std::string messages = dir.File("m.json");
  testing::WriteWholeFile(messages, R"([{"role": "user", "content": "Hi"}])");
  auto r = RunMiaotui("template -m " + model + " --messages " + messages +
                      " --add-generation-prompt");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "<s><user>Hi</s><assistant>");
  auto over = RunMiaotui("template -m " + model + " --messages " + messages +
                         " --bos-token '[B]' --eos-token ''");
  EXPECT_EQ(over.out, "[B]<user>Hi");
}

TEST(TemplateCliTest, Errors) {
  MT_REQUIRE_SHARED(testing::kStoriesModel);
  TempDir dir;
  std::string messages = dir.File("m.json");
  testing::WriteWholeFile(messages, R"([{"role": "user", "content": "Hi"}])");
  auto none = RunMiaotui("template -m " + SharedPath(testing::kStoriesModel) + " --messages " +
                         messages);
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.err.find("no chat template"), std::string::npos) << none.err;

  std::string bad = dir.File("bad.jinja");
  testing::WriteWholeFile(bad, "line one\n{{ messages | frobnicate }}");
  auto r = RunMiaotui("template --template " + bad + " --messages " + messages);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.find("miaotui: error: "), 0u) << r.err;
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;

  testing::WriteWholeFile(messages, R"({"role": "user"})");
  auto not_list = RunMiaotui("template --template " + bad + " --messages " + messages);
  EXPECT_EQ(not_list.status, 1);
  EXPECT_NE(not_list.err.find("list of messages"), std::string::npos) << not_list.err;
  EXPECT_EQ(RunMiaotui("template --messages " + messages).status, 1);
  for (const char* c : {"template", "chat"}) {
    auto help = RunMiaotui(std::string(c) + " --help");
    EXPECT_EQ(help.status, 0) << c;
    EXPECT_NE(help.out.find("usage: miaotui"), std::string::npos) << c;
  }
}

}  // namespace
}  // namespace miaotui
