// Pull: downloads a model file into the local cache, as `miaotui pull` does.
//
// Specs: "ORG/REPO[:FILE]" (Hugging Face: <endpoint>/ORG/REPO/resolve/main/FILE; without FILE,
// the repository's one .gguf file, listed by <endpoint>/api/models/ORG/REPO) or an http(s) URL.
// The endpoint is https://huggingface.co unless MIAOTUI_HF_ENDPOINT says otherwise.
// Cache: MIAOTUI_CACHE, else $XDG_CACHE_HOME/miaotui, else ~/.cache/miaotui; a Hugging Face file
// lands in <cache>/ORG/REPO/FILE, a URL's in <cache>/url/<host>/<file name> (or -o DIR).
//
// Download: into DEST.part, resumed with an HTTP Range request when DEST.part exists (a server
// that ignores the range restarts it); redirects followed by hand so that a Hugging Face LFS
// file's X-Linked-Etag (its sha256) is seen; the sha256 is checked when published (X-Linked-Etag
// or an ETag of 64 hex digits; for a plain URL, a URL.sha256 sidecar when the server has one);
// a mismatch deletes DEST.part; success renames DEST.part to DEST (atomic). A DEST already there
// is not fetched again.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/status.h"

namespace miaotui::pull {

struct PullSpec {
  std::string url;             // what to fetch
  std::string repo;            // "ORG/REPO" for Hugging Face specs, else ""
  std::string file;            // file name ("" for a repository whose .gguf is to be found)
};

// Parses ORG/REPO[:FILE] or a URL. InvalidArgument for anything else.
Result<PullSpec> ParsePullSpec(const std::string& spec);

// The cache folder (MIAOTUI_CACHE, XDG_CACHE_HOME/miaotui, ~/.cache/miaotui).
std::string DefaultCacheDir();
std::string HfEndpoint();

struct PullOptions {
  std::string cache_dir;   // "" : DefaultCacheDir()
  std::string out_dir;     // "" : the cache layout above
  // (bytes done, bytes in all or -1 when unknown)
  std::function<void(int64_t, int64_t)> progress;
};

struct PullResult {
  std::string path;        // the final file
  int64_t bytes = 0;
  std::string sha256;      // of the file
  bool verified = false;   // the server published a digest and it matched
  bool resumed = false;    // a partial download was continued
  bool cached = false;     // already there, nothing fetched
};

Result<PullResult> Pull(const std::string& spec, const PullOptions& options);

// Downloads one URL to `dest` (the mechanics above). `expected_sha256` overrides what the server
// publishes when set.
Result<PullResult> DownloadFile(const std::string& url, const std::string& dest,
                                const PullOptions& options,
                                std::optional<std::string> expected_sha256 = std::nullopt);

// For -m ORG/REPO[:FILE]: the cached file, or NotFound (suggesting `miaotui pull`); nullopt when
// `arg` does not look like ORG/REPO[:FILE].
std::optional<Result<std::string>> FindInCache(const std::string& arg, const std::string& cache);

}  // namespace miaotui::pull
