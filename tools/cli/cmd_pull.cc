// miaotui pull: fetch a model file (Hugging Face ORG/REPO[:FILE] or a URL) into the cache, with
// resume, a progress bar, a sha256 check where the server publishes one and an atomic rename.
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "progress.h"
#include "pull.h"

namespace miaotui::cli {

int PullCommand(int argc, char** argv) {
  std::string spec;
  pull::PullOptions o;
  ArgParser p("miaotui pull",
              "Download a model into the cache (MIAOTUI_CACHE or ~/.cache/miaotui); then "
              "`-m ORG/REPO` finds it. Interrupted downloads resume.");
  p.Positional("MODEL", &spec, "ORG/REPO[:FILE] (Hugging Face) or an http(s) URL", true);
  p.Option("output", "o", &o.out_dir, "DIR", "write into DIR instead of the cache");
  p.Option("cache-dir", "", &o.cache_dir, "DIR", "cache folder (default: MIAOTUI_CACHE, "
           "$XDG_CACHE_HOME/miaotui or ~/.cache/miaotui)");
  if (Status s = p.Parse(argc, argv, 2); !s.ok()) return Fail(s);
  if (p.help_requested()) return 0;
  ProgressBar bar("pull");
  o.progress = [&](int64_t done, int64_t total) {
    bar.Update(done, total > 0 ? total : done + 1);
  };
  auto r = pull::Pull(spec, o);
  bar.Finish();
  if (!r.ok()) return Fail(r.status());
  if (r->cached) {
    std::fprintf(stderr, "already there (%lld bytes)\n", static_cast<long long>(r->bytes));
  } else {
    std::fprintf(stderr, "%lld bytes%s, sha256 %s (%s)\n", static_cast<long long>(r->bytes),
                 r->resumed ? ", resumed" : "", r->sha256.c_str(),
                 r->verified ? "verified" : "no digest published");
  }
  std::printf("%s\n", r->path.c_str());
  return 0;
}

}  // namespace miaotui::cli
