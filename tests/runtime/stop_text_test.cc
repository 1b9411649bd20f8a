// StopTextFilter: nothing of a stop string is ever shown, held-back prefixes are released when
// they turn out not to be one, and UTF-8 characters are never split.
#include "runtime/stop_text.h"

#include <gtest/gtest.h>

namespace miaotui::runtime {
namespace {

std::string PushAll(StopTextFilter& f, const std::vector<std::string>& pieces) {
  std::string shown;
  for (const auto& p : pieces) shown += f.Push(p);
  return shown + f.Flush();
}

TEST(StopTextFilterTest, StopsAtStopStringSplitAcrossPieces) {
  StopTextFilter f({"<|im_end|>"});
  std::string shown;
  shown += f.Push("Hello <|");
  EXPECT_EQ(shown, "Hello ");  // "<|" may begin the stop string: held back
  shown += f.Push("im_");
  shown += f.Push("end|> more");
  EXPECT_TRUE(f.stopped());
  shown += f.Push("ignored");
  shown += f.Flush();
  EXPECT_EQ(shown, "Hello ");
  EXPECT_EQ(f.text(), "Hello ");
}

TEST(StopTextFilterTest, ReleasesAFalseStart) {
  StopTextFilter f({"<end_of_turn>"});
  EXPECT_EQ(PushAll(f, {"a <e", "nd", " b"}), "a <end b");
  EXPECT_FALSE(f.stopped());
  EXPECT_EQ(f.text(), "a <end b");
}

TEST(StopTextFilterTest, HeldPrefixIsFlushedAtTheEnd) {
  StopTextFilter f({"</s>"});
  EXPECT_EQ(f.Push("x </"), "x ");
  EXPECT_EQ(f.Flush(), "</");
  EXPECT_EQ(f.text(), "x </");
}

TEST(StopTextFilterTest, EarliestOfSeveralStops) {
  StopTextFilter f({"STOP", "END", ""});
  EXPECT_EQ(PushAll(f, {"one END two STOP"}), "one ");
  EXPECT_TRUE(f.stopped());
}

TEST(StopTextFilterTest, NoStopsStreamsWholeCharacters) {
  StopTextFilter f({});
  const std::string euro = "\xE2\x82\xAC";
  EXPECT_EQ(f.Push(euro.substr(0, 2)), "");
  EXPECT_EQ(f.Push(euro.substr(2) + "!"), euro + "!");
  EXPECT_EQ(f.Flush(), "");
}

}  // namespace
}  // namespace miaotui::runtime
