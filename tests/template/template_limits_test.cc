// Hostile templates: deep nesting, runaway loops, recursion, huge strings. Each must fail with
// a clear Status (or render), never crash or hang. Runs under ASan (label "asan").
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "template/template.h"

namespace miaotui {
namespace {

Status RenderStatus(const std::string& src, const nlohmann::json& ctx = nlohmann::json::object()) {
  auto t = Template::Parse(src);
  if (!t.ok()) return t.status();
  auto r = (*t)->Render(ctx);
  return r.ok() ? Status::Ok() : r.status();
}

TEST(TemplateLimits, DeeplyNestedParensIsAnError) {
  std::string src = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
  Status s = RenderStatus(src);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nested deeper"), std::string::npos) << s.message();
}

TEST(TemplateLimits, LongOperatorChainIsAnError) {
  std::string src = "{{ 1";
  for (int i = 0; i < 20000; ++i) src += " + 1";
  src += " }}";
  Status s = RenderStatus(src);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nested deeper"), std::string::npos) << s.message();
}

TEST(TemplateLimits, DeeplyNestedBlocksIsAnError) {
  std::string src;
  for (int i = 0; i < 5000; ++i) src += "{% if true %}";
  for (int i = 0; i < 5000; ++i) src += "{% endif %}";
  Status s = RenderStatus(src);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nested deeper"), std::string::npos) << s.message();
}

TEST(TemplateLimits, DeeplyNestedListsAndNotChains) {
  EXPECT_FALSE(RenderStatus("{{ " + std::string(3000, '[') + std::string(3000, ']') + " }}").ok());
  std::string nots;
  for (int i = 0; i < 3000; ++i) nots += "not ";
  EXPECT_FALSE(RenderStatus("{{ " + nots + "true }}").ok());
  std::string minus(3000, '-');
  EXPECT_FALSE(RenderStatus("{{ " + minus + "x }}").ok());
}

TEST(TemplateLimits, DeeplyNestedContextIsAnError) {
  nlohmann::json deep = nlohmann::json::array();
  for (int i = 0; i < 2000; ++i) deep = nlohmann::json::array({deep});
  Status s = RenderStatus("{{ x }}", {{"x", deep}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nesting deeper"), std::string::npos) << s.message();
}

TEST(TemplateLimits, HugeLoopIsCapped) {
  Status s = RenderStatus(
      "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(10) %}"
      "{% endfor %}{% endfor %}{% endfor %}");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("loop iterations"), std::string::npos) << s.message();
  EXPECT_FALSE(RenderStatus("{% for i in range(100000000000) %}{% endfor %}").ok());
}

TEST(TemplateLimits, OutputIsCapped) {
  Status s = RenderStatus(
      "{% for i in range(100000) %}{{ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "' * 1000 }}{% endfor %}");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.message();
}

TEST(TemplateLimits, StringDoublingIsCapped) {
  Status s = RenderStatus(
      "{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}"
      "{% endfor %}{{ ns.s | length }}");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.message();
  EXPECT_FALSE(RenderStatus("{{ 'x' * 9000000000000 }}").ok());
}

TEST(TemplateLimits, RecursiveMacroIsCapped) {
  Status s = RenderStatus("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("macro calls nested deeper"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("template line 1"), std::string::npos) << s.message();
}

TEST(TemplateLimits, SelfReferentialNamespaceDoesNotLeakOrCrash) {
  Status s = RenderStatus("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nesting deeper"), std::string::npos) << s.message();
  EXPECT_TRUE(RenderStatus("{% set ns = namespace() %}{% set ns.me = ns %}ok").ok());
}

TEST(TemplateLimits, IntegerOverflowIsAnError) {
  EXPECT_FALSE(RenderStatus("{{ 9223372036854775807 + 1 }}").ok());
  EXPECT_FALSE(RenderStatus("{{ 2 ** 200 }}").ok());
  EXPECT_FALSE(RenderStatus("{{ -9223372036854775807 - 2 }}").ok());
  EXPECT_FALSE(RenderStatus("{{ 1 // 0 }}").ok());
  EXPECT_FALSE(RenderStatus("{{ 1 % 0 }}").ok());
}

TEST(TemplateLimits, TruncatedTemplatesAreErrors) {
  const char* bad[] = {"{{", "{%", "{{ 'abc", "{# x", "{% if %}", "{% for x in %}",
                       "{{ x[ }}", "{{ x. }}", "{{ f( }}", "{% set %}", "{{ {'a': }}",
                       "{% macro %}", "{{ 'a\\", "{%- if x -%}", "{{ x | }}", "{{ x is }}"};
  for (const char* src : bad) EXPECT_FALSE(RenderStatus(src).ok()) << src;
}

}  // namespace
}  // namespace miaotui
