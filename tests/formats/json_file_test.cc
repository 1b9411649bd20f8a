// ReadJsonFile (parse errors with positions) and the typed JSON getters.
#include <gtest/gtest.h>

#include "formats/json_file.h"
#include "formats_test_util.h"
#include "test_util.h"

namespace miaotui::formats {
namespace {

using ::miaotui::formats::testing::GgufBytes;
using ::miaotui::testing::SharedPath;
using ::miaotui::testing::TempDir;

TEST(JsonFile, ParseErrorNamesFileAndPosition) {
  TempDir dir;
  const std::string path = dir.File("config.json");
  GgufBytes::WriteFile(path, "{\n  \"a\": 1,\n  \"b\": tru\n}\n");
  auto j = ReadJsonFile(path);
  ASSERT_FALSE(j.ok());
  EXPECT_MESSAGE_HAS(j.status().message(), "config.json: invalid JSON at line 3, column");
  EXPECT_MESSAGE_HAS(j.status().message(), "(byte ");
  EXPECT_EQ(ReadJsonFile(dir.File("none.json")).status().code(), StatusCode::kNotFound);
  GgufBytes::WriteFile(path, "");
  EXPECT_FALSE(ReadJsonFile(path).ok());
}

TEST(JsonFile, TypedGetters) {
  auto j = ParseJson(R"({"n": 12, "big": 2048.0, "half": 1.5, "s": "x", "t": true,
                        "null": null, "neg": -3})", "config.json");
  ASSERT_TRUE(j.ok());
  const std::string f = "config.json";
  EXPECT_EQ(*JsonGetInt(*j, "n", f), 12);
  EXPECT_EQ(*JsonGetInt(*j, "big", f), 2048);
  EXPECT_EQ(*JsonGetInt(*j, "neg", f), -3);
  EXPECT_EQ(*JsonGetFloat(*j, "half", f), 1.5);
  EXPECT_EQ(*JsonGetFloat(*j, "n", f), 12.0);
  EXPECT_EQ(*JsonGetString(*j, "s", f), "x");
  EXPECT_EQ(*JsonGetBool(*j, "t", f), true);
  auto half = JsonGetInt(*j, "half", f);
  ASSERT_FALSE(half.ok());
  EXPECT_MESSAGE_HAS(half.status().message(),
                     "config.json: field 'half' is number 1.5, expected an integer");
  auto s = JsonGetBool(*j, "s", f);
  EXPECT_MESSAGE_HAS(s.status().message(), "field 's' is string \"x\", expected a boolean");
  auto missing = JsonGetString(*j, "hidden_size", f);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_MESSAGE_HAS(missing.status().message(), "config.json: field 'hidden_size' is missing");
  EXPECT_MESSAGE_HAS(JsonGetFloat(*j, "null", f).status().message(), "is null, expected a number");
  EXPECT_EQ(*JsonGetIntOr(*j, "absent", f, 7), 7);
  EXPECT_EQ(*JsonGetFloatOr(*j, "null", f, 0.5), 0.5);  // null counts as absent
  EXPECT_EQ(*JsonGetStringOr(*j, "absent", f, "d"), "d");
  EXPECT_EQ(*JsonGetBoolOr(*j, "t", f, false), true);
  EXPECT_FALSE(JsonGetIntOr(*j, "s", f, 1).ok());  // present with a wrong type
  auto not_object = JsonGetInt(nlohmann::json::array(), "n", f);
  EXPECT_MESSAGE_HAS(not_object.status().message(), "expected a JSON object holding 'n'");
}

TEST(JsonFile, SharedConfigs) {
  MT_REQUIRE_SHARED("models/stories260K-hf/config.json");
  const std::string path = SharedPath("models/stories260K-hf/config.json");
  auto j = ReadJsonFile(path);
  ASSERT_TRUE(j.ok()) << j.status().message();
  EXPECT_EQ(*JsonGetInt(*j, "hidden_size", path), 64);
  EXPECT_EQ(*JsonGetInt(*j, "vocab_size", path), 512);
  auto gpt2 = ReadJsonFile(SharedPath("models/gpt2-test-hf/tokenizer.json"));
  ASSERT_TRUE(gpt2.ok()) << gpt2.status().message();
}

}  // namespace
}  // namespace miaotui::formats
