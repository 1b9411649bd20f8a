// miaotui convert: a Hugging Face Llama folder to GGUF (F32/F16/BF16, or any quantization type
// through the quantize library).
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "compress/hf_convert.h"

namespace miaotui::cli {

int ConvertCommand(int argc, char** argv) {
  std::string in, out;
  compress::ConvertOptions o;
  ArgParser p("miaotui convert",
              "Convert a Hugging Face Llama folder (config.json, safetensors, tokenizer.json) "
              "to GGUF, with its chat template and special-token ids.");
  p.Positional("IN", &in, "Hugging Face folder", true);
  p.Positional("OUT", &out, "output GGUF (written atomically)", true);
  p.Option("type", "", &o.type, "TYPE", "f32, f16 (default), bf16, or q8_0, q4_k_m, ...");
  p.Option("threads", "t", &o.n_threads, "N", "quantization threads (default: all cores)");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  auto r = compress::ConvertHfToGguf(in, out, o);
  if (!r.ok()) return Fail(r.status());
  for (const std::string& t : r->tensors) std::printf("%s\n", t.c_str());
  std::printf("%s: %lld parameters, %.2f MiB written to %s\n", r->arch.c_str(),
              static_cast<long long>(r->n_params), r->out_file_bytes / 1048576.0, out.c_str());
  return 0;
}

}  // namespace miaotui::cli
