// miaotui tokenize: text -> token ids and pieces, with only the tokenizer loaded (a vocab-only
// GGUF works).
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "formats/gguf.h"
#include "tokenizer/tokenizer.h"

namespace miaotui::cli {

Result<std::unique_ptr<tokenizer::Tokenizer>> LoadTokenizerOnly(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return tokenizer::LoadTokenizerFromHfFolder(path);
  MT_ASSIGN_OR_RETURN(auto gguf, formats::GgufFile::Open(path));
  return tokenizer::LoadTokenizerFromGguf(*gguf);
}

int TokenizeCommand(int argc, char** argv) {
  std::string model_path, text;
  bool json = false, no_bos = false, parse_special = false;
  ArgParser p("miaotui tokenize", "Print the token ids (and pieces) of TEXT.");
  p.Option("model", "m", &model_path, "PATH", "GGUF file (vocab-only is fine) or HF folder");
  p.Flag("json", "", &json, "print {\"ids\": [...], \"pieces\": [...]}");
  p.Flag("no-bos", "", &no_bos, "do not add BOS (or other special tokens the model adds)");
  p.Flag("parse-special", "", &parse_special, "recognise special-token text such as <s>");
  p.Positional("TEXT", &text, "the text to tokenize", true);
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  if (model_path.empty()) return Fail(InvalidArgument("no model given (use -m PATH)"));
  auto tok = LoadTokenizerOnly(model_path);
  if (!tok.ok()) return Fail(tok.status());
  std::vector<int32_t> ids = (*tok)->Encode(text, !no_bos, parse_special);
  if (json) {
    nlohmann::json j;
    j["ids"] = ids;
    std::vector<std::string> pieces;
    for (int32_t id : ids) pieces.push_back((*tok)->TokenToPiece(id));
    j["pieces"] = pieces;
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  for (int32_t id : ids) {
    nlohmann::json piece = (*tok)->TokenToPiece(id);
    std::printf("%6d -> %s\n", id,
                piece.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return 0;
}

}  // namespace miaotui::cli
