// Byte-for-byte agreement with @huggingface/jinja 0.5.11 on published chat templates: the
// shared fixtures (../shared/fixtures/chat-templates/cases.json) and our own generated ones
// (tests/template/fixtures/generated_cases.json, scripts/gen_chat_template_fixtures.mjs).
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "template/template.h"
#include "test_util.h"

namespace miaotui {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Family {
  std::string tmpl;
  std::optional<std::string> bos, eos;
};

std::map<std::string, Family> LoadFamilies(const std::string& dir) {
  std::map<std::string, Family> out;
  auto meta = nlohmann::json::parse(ReadFile(dir + "/templates.json"));
  for (const auto& t : meta["templates"]) {
    Family f;
    f.tmpl = ReadFile(dir + "/" + t["file"].get<std::string>());
    if (!t["bos_token"].is_null()) f.bos = t["bos_token"].get<std::string>();
    if (!t["eos_token"].is_null()) f.eos = t["eos_token"].get<std::string>();
    out[t["family"].get<std::string>()] = f;
  }
  return out;
}

void CheckCases(const std::string& cases_path, const std::map<std::string, Family>& families,
                size_t min_cases) {
  auto cases = nlohmann::json::parse(ReadFile(cases_path));
  ASSERT_GE(cases.size(), min_cases);
  int failures = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const std::string family = c["family"];
    auto it = families.find(family);
    ASSERT_NE(it, families.end()) << family;
    ChatTemplateInputs in;
    in.add_generation_prompt = c["add_generation_prompt"].get<bool>();
    in.bos_token = it->second.bos;
    in.eos_token = it->second.eos;
    auto r = ApplyChatTemplate(it->second.tmpl, c["messages"], in);
    if (c.contains("error")) {
      EXPECT_FALSE(r.ok()) << "case " << i << " (" << family << ") should raise";
      if (!r.ok()) {
        EXPECT_EQ(r.status().message(), c["error"].get<std::string>()) << "case " << i;
      }
      continue;
    }
    if (!r.ok()) {
      ADD_FAILURE() << "case " << i << " (" << family << "): " << r.status().message();
      ++failures;
      continue;
    }
    if (*r != c["expected"].get<std::string>()) ++failures;
    EXPECT_EQ(*r, c["expected"].get<std::string>()) << "case " << i << " (" << family << ")";
  }
  EXPECT_EQ(failures, 0);
}

TEST(ChatTemplateFixtures, SharedCasesMatchReference) {
  const std::string dir = testing::SharedPath("fixtures/chat-templates");
  if (!testing::SharedExists("fixtures/chat-templates/cases.json")) {
    GTEST_SKIP() << "no " << dir;
  }
  CheckCases(dir + "/cases.json", LoadFamilies(dir), 60);
}

TEST(ChatTemplateFixtures, GeneratedCasesMatchReference) {
  const std::string dir = testing::SharedPath("fixtures/chat-templates");
  if (!testing::SharedExists("fixtures/chat-templates/templates.json")) {
    GTEST_SKIP() << "no " << dir;
  }
  const std::string path = std::string(MIAOTUI_TEMPLATE_FIXTURES_DIR) + "/generated_cases.json";
  std::ifstream probe(path);
  ASSERT_TRUE(probe.good()) << path;
  CheckCases(path, LoadFamilies(dir), 100);
}

}  // namespace
}  // namespace miaotui
