// Test models for the chat and template commands: a copy of the shipped stories260K.gguf (which
// has no chat template) with tokenizer.chat_template set, written with formats::GgufWriter.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "formats/gguf.h"
#include "test_util.h"

namespace miaotui::testing {

inline constexpr char kStoriesModel[] = "models/stories260K.gguf";

// Writes <dir>/chat.gguf: every key and tensor of stories260K plus `tmpl` as its chat template.
inline std::string ModelWithTemplate(const TempDir& dir, const std::string& tmpl) {
  auto f = formats::GgufFile::Open(SharedPath(kStoriesModel));
  EXPECT_TRUE(f.ok()) << f.status().message();
  if (!f.ok()) return "";
  formats::GgufWriter w;
  for (const auto& kv : (*f)->metadata()) w.SetValue(kv.key, kv.value);
  w.SetString("tokenizer.chat_template", tmpl);
  for (const auto& t : (*f)->tensors()) w.AddTensor(t.name, t.dtype, t.shape, (*f)->View(t).data);
  std::string out = dir.File("chat.gguf");
  Status s = w.Write(out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

}  // namespace miaotui::testing
