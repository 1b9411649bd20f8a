#include "base/status.h"

#include <gtest/gtest.h>

namespace miaotui {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  MT_ASSIGN_OR_RETURN(int h, Half(x));
  MT_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, PropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_EQ(r.status().WithPrefix("f.gguf").message(), "f.gguf: odd: 3");
}

}  // namespace
}  // namespace miaotui
