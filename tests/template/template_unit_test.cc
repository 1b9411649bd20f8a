// Lexer, parser and evaluator features, and the error messages (construct and line).
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "template/template.h"

namespace miaotui {
namespace {

std::string R(const std::string& src, const nlohmann::json& ctx = nlohmann::json::object()) {
  auto t = Template::Parse(src);
  if (!t.ok()) return "PARSE ERROR: " + t.status().message();
  auto r = (*t)->Render(ctx);
  if (!r.ok()) return "ERROR: " + r.status().message();
  return *r;
}

TEST(TemplateLexer, WhitespaceControlAndBlocks) {
  EXPECT_EQ(R("a  {{- 'b' -}}  c"), "abc");
  EXPECT_EQ(R("a\n  {%- if true %}b{% endif %}"), "ab");
  EXPECT_EQ(R("{% if true %}\nx{% endif %}\n"), "x");  // trim_blocks + final newline
  EXPECT_EQ(R("  {% if true %}x{% endif %}"), "x");     // lstrip_blocks
  EXPECT_EQ(R("  {{ 'x' }}"), "  x");                   // not for expressions
  EXPECT_EQ(R("a{# comment #}b"), "ab");
  EXPECT_EQ(R("a {#- c -#} b"), "ab");
  EXPECT_EQ(R("{{ 'a\\n\\t\\'' }}"), "a\n\t'");
  EXPECT_EQ(R("{{ \"x\" 'y' }}"), "xy");
}

TEST(TemplateEval, LiteralsAndRendering) {
  EXPECT_EQ(R("{{ 1 }} {{ 1.0 }} {{ 2.5 }} {{ true }} {{ none }} {{ undefined_var }}"),
            "1 1.0 2.5 true  ");
  EXPECT_EQ(R("{{ [1, 'a', none] }}"), "[1, \"a\", null]");
  EXPECT_EQ(R("{{ {'a': 1, 'b': [true]} }}"), "{\"a\": 1, \"b\": [true]}");
  EXPECT_EQ(R("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 'a' ~ 1 }}"),
            "3 -4 1 3.5 1024 a1");
  EXPECT_EQ(R("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ -3 | abs }}"), "7 9 3");
}

TEST(TemplateEval, Comparisons) {
  EXPECT_EQ(R("{{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 2 > 1 }} {{ 'a' in 'cat' }} "
              "{{ 3 not in [1, 2] }} {{ 'k' in {'k': 1} }}"),
            "true true true true true true");
  EXPECT_EQ(R("{{ 1 if false else 2 }} {{ 'x' if true }}|{{ 'x' if false }}|"), "2 x||");
  EXPECT_EQ(R("{{ none or 'd' }} {{ 0 and 1 }} {{ not [] }}"), "d 0 true");
}

TEST(TemplateEval, ForLoops) {
  EXPECT_EQ(R("{% for x in [1, 2, 3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}"
              "{{ loop.last }}{{ loop.length }}{{ loop.revindex }},{% endfor %}"),
            "10truefalse33,21falsefalse32,32falsetrue31,");
  EXPECT_EQ(R("{% for x in [] %}a{% else %}empty{% endfor %}"), "empty");
  EXPECT_EQ(R("{% for k, v in {'a': 1, 'b': 2} | items %}{{ k }}={{ v }};{% endfor %}"),
            "a=1;b=2;");
  EXPECT_EQ(R("{% for x in [1, 2, 3, 4] if x is even %}{{ x }}{{ loop.length }}{% endfor %}"),
            "2242");
  EXPECT_EQ(R("{% for x in [1, 2, 3] %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}"
              "{% endfor %}|{% for x in [1, 2, 3] %}{% if x == 2 %}{% break %}{% endif %}"
              "{{ x }}{% endfor %}"),
            "13|1");
  EXPECT_EQ(R("{% for x in undefined_thing %}x{% endfor %}ok"), "ok");
}

TEST(TemplateEval, SetNamespaceMacro) {
  EXPECT_EQ(R("{% set a = 1 %}{% set b, c = [2, 3] %}{{ a }}{{ b }}{{ c }}"), "123");
  EXPECT_EQ(R("{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}"
              "{% endfor %}{{ ns.n }}"),
            "3");
  EXPECT_EQ(R("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}"), "1");
  EXPECT_EQ(R("{% set s %}a{{ 1 }}{% endset %}[{{ s }}]"), "[a1]");
  EXPECT_EQ(R("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}"
              "{{ greet('A') }} {{ greet('B', punct='?') }}"),
            "Hi A! Hi B?");
  EXPECT_EQ(R("{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}in{% endcall %}"),
            "[in]");
  EXPECT_EQ(R("{% filter upper %}abc{% endfilter %}"), "ABC");
}

TEST(TemplateEval, Filters) {
  EXPECT_EQ(R("{{ '  a b  ' | trim }}|{{ 'ab' | upper }}|{{ 'AB' | lower }}|"
              "{{ 'hello world' | title }}|{{ 'abc' | capitalize }}|{{ 'abc' | length }}"),
            "a b|AB|ab|Hello World|Abc|3");
  EXPECT_EQ(R("{{ [3, 1, 2] | sort | join(',') }} {{ [1, 2] | first }}{{ [1, 2] | last }} "
              "{{ [1, 1, 2] | unique | list | length }} {{ [1, 2] | reverse | join }}"),
            "1,2,3 12 2 21");
  EXPECT_EQ(R("{{ x | default('d') }} {{ '' | default('d', true) }} {{ 'v' | d('d') }}"), "d d v");
  EXPECT_EQ(R("{{ {'a': [1, 2]} | tojson }}|{{ {'a': [1]} | tojson(indent=2) }}"),
            "{\"a\": [1, 2]}|{\n  \"a\": [\n    1\n  ]\n}");
  EXPECT_EQ(R("{{ 'é<' | tojson }}"), "\"é<\"");
  EXPECT_EQ(R("{{ '12' | int + 1 }} {{ '1.5' | float }} {{ 3 | string }} {{ 2.5 | round }}"),
            "13 1.5 3 3.0");
  EXPECT_EQ(R("{{ 'a-b' | replace('-', '+') }} {{ 'a\nb' | indent(2) }} {{ 'a b c' | wordcount }}"),
            "a+b a\n  b 3");
  EXPECT_EQ(R("{{ [1, 5, 3] | max }}{{ [1, 5, 3] | min }}{{ [1, 5, 3] | sum }}"), "519");
  EXPECT_EQ(R("{{ '<a>' | e }}{{ '<a>' | safe }}"), "&lt;a&gt;<a>");
  nlohmann::json ms = {{"m", {{{"role", "user"}, {"c", 1}}, {{"role", "bot"}, {"c", 2}}}}};
  EXPECT_EQ(R("{{ m | selectattr('role', 'equalto', 'user') | map(attribute='c') | join }}"
              "{{ m | rejectattr('role', 'eq', 'user') | map(attribute='c') | join }}"
              "{{ [1, 2, 3, 4] | select('odd') | join }}{{ [1, 2, 3] | reject('odd') | join }}",
              ms),
            "12132");
}

TEST(TemplateEval, TestsAndMethods) {
  EXPECT_EQ(R("{{ x is defined }}{{ x is undefined }}{{ none is none }}{{ 'a' is string }}"
              "{{ 1 is number }}{{ {} is mapping }}{{ [] is sequence }}{{ 3 is odd }}"
              "{{ 4 is divisibleby(2) }}{{ true is true }}{{ 1 is in([1]) }}"),
            "falsetruetruetruetruetruetruetruetruetruetrue");
  EXPECT_EQ(R("{{ ' a '.strip() }}|{{ 'a,b'.split(',') | join('+') }}|{{ 'abc'.startswith('a') }}"
              "|{{ 'abc'.endswith('bc') }}|{{ 'aXa'.replace('a', 'b') }}|{{ 'x'.upper() }}"
              "|{{ 'a b'.split() | length }}|{{ '{} and {}'.format(1, 'b') }}"),
            "a|a+b|true|true|bXb|X|2|1 and b");
  nlohmann::json ctx = {{"d", {{"k", "v"}}}};
  EXPECT_EQ(R("{{ d.get('k') }}{{ d.get('z', 'def') }}{{ d.keys() | join }}{{ d.values() | join }}"
              "{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}{{ d.k }}{{ d['k'] }}",
              ctx),
            "vdefkvkvvv");
  EXPECT_EQ(R("{{ 'hello'[1:3] }}{{ [1, 2, 3][::-1] | join }}{{ 'abc'[-1] }}{{ [1, 2][5] }}"),
            "el321c");
  EXPECT_EQ(R("{{ x.y.z }}{{ none.y }}ok"), "ok");
}

TEST(TemplateErrors, NameTheConstructAndLine) {
  EXPECT_EQ(R("line1\n{{ x }}\n{{ 'a' | frobnicate }}"),
            "ERROR: template line 3: unknown filter 'frobnicate'");
  EXPECT_EQ(R("{% if true %}\n{{ x }}"),
            "PARSE ERROR: template line 2: expected 'endif' to close 'if' opened on line 1, "
            "found end of template");
  EXPECT_EQ(R("{% for x in y %}\n{% endif %}"),
            "PARSE ERROR: template line 2: expected 'endfor' to close 'for' opened on line 1, "
            "found 'endif'");
  EXPECT_EQ(R("a\n\n{% frob %}"), "PARSE ERROR: template line 3: unknown statement 'frob'");
  EXPECT_EQ(R("{{ 1 is frob }}"), "ERROR: template line 1: unknown test 'frob'");
  EXPECT_EQ(R("\n{{ nope(1) }}"), "ERROR: template line 2: unknown function 'nope'");
  EXPECT_EQ(R("{{ 'a'.frob() }}"), "ERROR: template line 1: unknown method 'frob' on a string");
  EXPECT_EQ(R("{{ x + 1 }}"), "ERROR: template line 1: cannot apply '+' to an undefined value");
  EXPECT_EQ(R("{{ 'abc }}"), "PARSE ERROR: template line 1: unterminated string literal");
  EXPECT_EQ(R("{% endif %}"), "PARSE ERROR: template line 1: unexpected 'endif' with no open block");
  EXPECT_EQ(R("x\n{{ 1 $ 2 }}"), "PARSE ERROR: template line 2: unexpected character '$'");
  EXPECT_EQ(R("{{ raise_exception('Exact message!') }}"), "ERROR: Exact message!");
  EXPECT_EQ(R("{% if true %}\n  {% if x %}{{ raise_exception('m') }}{% endif %}{% endif %}",
              {{"x", true}}),
            "ERROR: m");
}

TEST(TemplateApi, ApplyChatTemplate) {
  nlohmann::json msgs = {{{"role", "user"}, {"content", "hi"}}};
  auto r = ApplyChatTemplate("{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}"
                             "{% if add_generation_prompt %}>{% endif %}{{ eos_token }}",
                             msgs, true, "<s>", "</s>");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "<s>hi></s>");
  ChatTemplateInputs in;
  auto r2 = ApplyChatTemplate("{{ bos_token is none }}{{ tools is none }}", msgs, in);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(*r2, "truetrue");
}

}  // namespace
}  // namespace miaotui
