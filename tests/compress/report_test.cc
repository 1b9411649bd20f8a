// miaotui report: the SVG chart is well-formed XML with one labelled dot per model and panel,
// ticks and escaping behave, and the Markdown table of a real tiny model and two quantized
// variants carries the tool's own measurements (sizes from the files, KL from Perplexity).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <vector>

#include "compress/quantize.h"
#include "compress/report.h"
#include "compress/svg_chart.h"
#include "compress_test_util.h"
#include "test_util.h"

namespace miaotui {
namespace {

using testing::ReadAll;
using testing::SharedPath;
using testing::TempDir;

// Checks that `xml` is one well-formed element tree (after an optional <?xml ...?> prolog):
// tags balance, attributes are quoted, '&' starts an entity, '<' never appears in text.
// Returns "" or what is wrong; counts the elements named `count_name` into *count.
std::string XmlProblem(const std::string& xml, const std::string& count_name, int* count) {
  std::vector<std::string> stack;
  size_t i = 0, roots = 0;
  if (xml.rfind("<?xml", 0) == 0) i = xml.find("?>") + 2;
  const std::regex entity("^&(amp|lt|gt|quot|apos|#[0-9]+);");
  while (i < xml.size()) {
    if (xml[i] == '<') {
      const size_t end = xml.find('>', i);
      if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
      std::string tag = xml.substr(i + 1, end - i - 1);
      i = end + 1;
      if (tag.empty()) return "empty tag";
      if (tag[0] == '/') {
        if (stack.empty() || stack.back() != tag.substr(1)) return "mismatched </" + tag + ">";
        stack.pop_back();
        continue;
      }
      const bool self_closing = tag.back() == '/';
      if (self_closing) tag.pop_back();
      const std::string name = tag.substr(0, tag.find(' '));
      // Attributes: name="value" pairs, values without '<' or '"'.
      static const std::regex attrs(R"(^[A-Za-z][\w:-]*(\s+[\w:-]+="[^"<]*")*\s*$)");
      if (!std::regex_match(tag, attrs)) return "bad attributes in <" + tag + ">";
      if (name == count_name) ++*count;
      if (stack.empty()) ++roots;
      if (!self_closing) stack.push_back(name);
      continue;
    }
    if (stack.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) {
      return "text outside the root element";
    }
    if (xml[i] == '&' && !std::regex_search(xml.substr(i, 8), entity)) return "bare '&'";
    ++i;
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  if (roots != 1) return "expected one root element, found " + std::to_string(roots);
  return "";
}

TEST(SvgChartTest, WellFormedWithEscapedLabelsAndOneDotPerPoint) {
  compress::ChartPanel a{"size <&> ppl", "x", "y", {{1, 2, "q4 \"&\" <x>"}, {3, 1, "base"}}};
  compress::ChartPanel b{"speed", "x", "y", {{1, 5, "one"}, {NAN, 1, "nan"}, {2, 5, "two"}}};
  const std::string svg = compress::SvgScatterChart("t & t", {a, b});
  int circles = 0;
  EXPECT_EQ(XmlProblem(svg, "circle", &circles), "") << svg;
  EXPECT_EQ(circles, 4);  // the NaN point is skipped and noted
  EXPECT_NE(svg.find("q4 &#34;&amp;&#34; &lt;x&gt;"), std::string::npos);
  EXPECT_NE(svg.find("1 point(s) not finite"), std::string::npos);
  EXPECT_EQ(svg.find("nan\""), std::string::npos);
  EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  // A panel whose points share one value on each axis still has a non-empty range.
  const std::string flat = compress::SvgScatterChart("", {{"", "", "", {{5, 5, "a"}, {5, 5, "b"}}}});
  int n = 0;
  EXPECT_EQ(XmlProblem(flat, "circle", &n), "");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(flat.find("nan"), std::string::npos);
  EXPECT_EQ(flat.find("inf"), std::string::npos);
}

TEST(SvgChartTest, TheCheckerCatchesBrokenXml) {
  int n = 0;
  EXPECT_NE(XmlProblem("<svg><g></svg>", "", &n), "");
  EXPECT_NE(XmlProblem("<svg>a & b</svg>", "", &n), "");
  EXPECT_NE(XmlProblem("<svg x=1></svg>", "", &n), "");
  EXPECT_NE(XmlProblem("<svg/><svg/>", "", &n), "");
  EXPECT_EQ(XmlProblem("<svg x=\"1\"><g/>a &amp; b</svg>", "", &n), "");
}

TEST(SvgChartTest, NiceTicksCoverTheRangeInRoundSteps) {
  EXPECT_EQ(compress::NiceTicks(0.3, 9.6, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  const auto t = compress::NiceTicks(86.1, 87.4, 5);
  ASSERT_GE(t.size(), 2u);
  EXPECT_LE(t.front(), 86.1);
  EXPECT_GE(t.back(), 87.4);
  EXPECT_NEAR(t[1] - t[0], 0.5, 1e-12);  // 1.3 / 5 = 0.26 rounds up to 0.5
}

TEST(ReportTest, TableAndChartOfStories260KAndTwoQuantizedVariants) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  TempDir dir;
  const std::string base = SharedPath("models/stories260K.gguf");
  std::vector<std::string> variants;
  for (const char* type : {"Q8_0", "Q4_0"}) {
    compress::QuantizeOptions qo;
    qo.type = type;
    qo.n_threads = 2;
    variants.push_back(dir.File(std::string("v-") + type + ".gguf"));
    ASSERT_TRUE(compress::Quantize(base, variants.back(), qo).ok());
  }
  compress::ReportOptions o;
  o.ppl.n_ctx = 64;
  o.ppl.n_chunks = 3;
  o.ppl.n_threads = 2;
  o.speed = {.n_prompt = 16, .n_gen = 4, .repetitions = 1};
  auto r = compress::MeasureReport(base, variants, ReadAll(SharedPath("golden/tinyshakespeare-first40KiB.txt")), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_TRUE(r->rows[0].is_base);
  EXPECT_FALSE(r->rows[0].ppl.has_base);
  for (size_t i = 0; i < 3; ++i) {
    const auto& row = r->rows[i];
    EXPECT_EQ(row.file_bytes, std::filesystem::file_size(i ? variants[i - 1] : base));
    EXPECT_GT(row.speed.pp_median, 0);
    EXPECT_GT(row.speed.tg_median, 0);
    EXPECT_EQ(row.ppl.n_scored, 3 * (64 - 32 - 1));
  }
  // Q8_0 is closer to the base than Q4_0, in KL and in top-1 agreement.
  EXPECT_GT(r->rows[1].ppl.mean_kl, 0);
  EXPECT_LT(r->rows[1].ppl.mean_kl, r->rows[2].ppl.mean_kl);
  EXPECT_GT(r->rows[1].ppl.top1_agree, r->rows[2].ppl.top1_agree);
  EXPECT_EQ(r->rows[1].weight_type, "Q8_0");

  const std::string md = compress::ReportMarkdown(*r);
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = md.find('\n', at)) != std::string::npos; at = nl + 1) {
    lines.push_back(md.substr(at, nl - at));
  }
  ASSERT_EQ(lines.size(), 2u + 2 + 3);  // settings, blank, header, rule, 3 rows
  const auto cells = [](const std::string& l) { return std::count(l.begin(), l.end(), '|'); };
  for (size_t i = 2; i < lines.size(); ++i) EXPECT_EQ(cells(lines[i]), 11) << lines[i];
  EXPECT_NE(lines[4].find("| stories260K (base) | F32 | 1.13 |"), std::string::npos) << lines[4];
  char kl[32];
  std::snprintf(kl, sizeof(kl), "| %.6f ± ", r->rows[2].ppl.mean_kl);
  EXPECT_NE(lines[6].find(kl), std::string::npos) << lines[6];
  EXPECT_EQ(lines[6].rfind("| v-Q4_0 | ", 0), 0u) << lines[6];

  const std::string svg = compress::ReportSvg(*r);
  int circles = 0;
  EXPECT_EQ(XmlProblem(svg, "circle", &circles), "");
  EXPECT_EQ(circles, 6);  // three models in each of two panels
  EXPECT_NE(svg.find(">v-Q8_0</text>"), std::string::npos);
}

TEST(ReportTest, CommandWritesTableAndChartAndRefusesBadArguments) {
  MT_REQUIRE_SHARED("models/stories260K.gguf");
  TempDir dir;
  const std::string base = SharedPath("models/stories260K.gguf");
  const std::string text = SharedPath("golden/tinyshakespeare-first40KiB.txt");
  const std::string cli = testing::CliPath();
  auto run = [&](const std::string& args) {
    const std::string cmd = cli + " " + args + " >" + dir.File("out") + " 2>" + dir.File("err");
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  ASSERT_EQ(run("quantize " + base + " " + dir.File("q8.gguf") + " --type Q8_0 -t 2"), 0);
  ASSERT_EQ(run("report -m " + base + " " + dir.File("q8.gguf") + " -f " + text +
                " -c 64 --chunks 2 -t 2 -p 8 -n 2 -r 1 -o " + dir.File("r.md") + " --chart " +
                dir.File("r.svg")),
            0)
      << ReadAll(dir.File("err"));
  EXPECT_NE(ReadAll(dir.File("r.md")).find("| q8 | Q8_0 |"), std::string::npos);
  int circles = 0;
  EXPECT_EQ(XmlProblem(ReadAll(dir.File("r.svg")), "circle", &circles), "");
  EXPECT_EQ(circles, 4);
  EXPECT_EQ(run("report -m " + base + " -f " + text), 1);
  EXPECT_NE(ReadAll(dir.File("err")).find("no variant given"), std::string::npos);
  EXPECT_EQ(run("report -m " + base + " " + dir.File("q8.gguf") + " -f /nonexistent.txt"), 1);
  EXPECT_NE(ReadAll(dir.File("err")).find("/nonexistent.txt"), std::string::npos);
  EXPECT_EQ(run("report -m " + base + " " + dir.File("missing.gguf") + " -f " + text +
                " --no-speed -c 64 --chunks 2"),
            1);
  EXPECT_NE(ReadAll(dir.File("err")).find("missing.gguf"), std::string::npos);
}

}  // namespace
}  // namespace miaotui
