// `miaotui chat` driven through a pipe: a copy of stories260K with a chat template answers, the
// reply streams to stdout, /save writes the conversation as JSON messages, /reset, /load and
// /exit work, a conversation that overflows the context is an error line (and the chat goes
// on), and a model without a template is refused (no silent fallback) unless --template is given.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "chat_model.h"
#include "cli_run.h"

namespace miaotui {
namespace {

using testing::RunMiaotui;
using testing::SharedPath;
using testing::TempDir;

constexpr char kTemplate[] =
    "{{ bos_token }}{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}";

class ChatCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::SharedExists(testing::kStoriesModel)) GTEST_SKIP() << "needs ../shared";
    model_ = testing::ModelWithTemplate(dir_, kTemplate);
  }
  testing::CliRun Chat(const std::string& flags, const std::string& script) {
    testing::WriteWholeFile(dir_.File("stdin.txt"), script);
    return RunMiaotui("chat -m " + model_ + " -t 1 --temp 0 " + flags, dir_.File("stdin.txt"));
  }
  nlohmann::json Saved(const std::string& name) {
    return nlohmann::json::parse(testing::ReadWholeFile(dir_.File(name)));
  }
  TempDir dir_;
  std::string model_;
};

TEST_F(ChatCliTest, ReplySaveResetLoadExit) {
  auto r = Chat("-n 12 --system 'Tell stories.'",
                "Once upon a time\n/save " + dir_.File("a.json") + "\n/reset\n/save " +
                    dir_.File("b.json") + "\n/exit\nnever sent\n");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json a = Saved("a.json");
  ASSERT_EQ(a.size(), 3u) << a;
  EXPECT_EQ(a[0]["role"], "system");
  EXPECT_EQ(a[0]["content"], "Tell stories.");
  EXPECT_EQ(a[1]["role"], "user");
  EXPECT_EQ(a[1]["content"], "Once upon a time");
  EXPECT_EQ(a[2]["role"], "assistant");
  const std::string reply = a[2]["content"];
  EXPECT_FALSE(reply.empty());
  EXPECT_EQ(r.out, reply + "\n");  // the streamed reply, nothing else on stdout
  EXPECT_EQ(Saved("b.json").size(), 1u);  // /reset keeps only the system prompt

  // /load then one more turn: the loaded conversation continues (EOF ends the chat).
  auto more = Chat("-n 4", "/load " + dir_.File("a.json") + "\nThen what?\n/save " +
                               dir_.File("c.json") + "\n");
  ASSERT_EQ(more.status, 0) << more.err;
  nlohmann::json c = Saved("c.json");
  ASSERT_EQ(c.size(), 5u) << c;
  EXPECT_EQ(c[2]["content"], reply);
  EXPECT_EQ(c[3]["content"], "Then what?");
}

TEST_F(ChatCliTest, OverflowIsAnErrorLineAndTheChatGoesOn) {
  auto r = Chat("-c 32 -n 4", std::string(300, 'a') + "\nHi\n/save " + dir_.File("o.json") + "\n");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("miaotui: error: the conversation is"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("context of 32 tokens"), std::string::npos) << r.err;
  nlohmann::json o = Saved("o.json");
  ASSERT_EQ(o.size(), 2u) << o;  // the overflowing message was taken back
  EXPECT_EQ(o[0]["content"], "Hi");
}

TEST_F(ChatCliTest, ModelWithoutTemplateIsRefused) {
  const std::string plain = SharedPath(testing::kStoriesModel);
  auto r = RunMiaotui("chat -m " + plain);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.find("miaotui: error: "), 0u) << r.err;
  EXPECT_NE(r.err.find("no chat template"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--template"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  testing::WriteWholeFile(dir_.File("t.jinja"), kTemplate);
  testing::WriteWholeFile(dir_.File("in.txt"), "Hi\n");
  auto with = RunMiaotui("chat -m " + plain + " --template " + dir_.File("t.jinja") +
                             " -n 3 -t 1",
                         dir_.File("in.txt"));
  EXPECT_EQ(with.status, 0) << with.err;
  EXPECT_FALSE(with.out.empty());
}

TEST_F(ChatCliTest, BadCommandsAndFilesAreErrorLines) {
  auto r = Chat("-n 2", "/frob\n/load " + dir_.File("missing.json") + "\n/save\n");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("unknown command '/frob'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/save needs a file name"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace miaotui
