// Pull: spec parsing, cache layout, resumable verified downloads (see pull.h).
#include "pull.h"

#include <httplib.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "formats/json_file.h"
#include "sha256.h"

namespace miaotui::pull {
namespace fs = std::filesystem;
namespace {

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// An ETag value without W/ and quotes.
std::string StripEtag(std::string e) {
  if (e.starts_with("W/")) e = e.substr(2);
  if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
  return e;
}

struct Url {
  std::string origin;  // scheme://host[:port]
  std::string path;    // /... with query
  std::string host;
};

Result<Url> SplitUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return InvalidArgument("not a URL: " + url);
  const std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return InvalidArgument(url + ": only http:// and https:// URLs can be pulled");
  }
  const size_t path_at = url.find('/', scheme_end + 3);
  Url u;
  u.origin = path_at == std::string::npos ? url : url.substr(0, path_at);
  u.path = path_at == std::string::npos ? "/" : url.substr(path_at);
  u.host = u.origin.substr(scheme_end + 3);
  if (u.host.empty()) return InvalidArgument("URL without a host: " + url);
  return u;
}

struct Hooks {
  // Called with the final (non-redirect) response; false cancels the body.
  std::function<bool(const httplib::Response&)> on_response;
  std::function<bool(const char*, size_t)> on_data;
};

struct FetchInfo {
  int status = 0;
  std::string linked_etag;  // X-Linked-Etag seen on any hop
  std::string final_url;
  httplib::Error error = httplib::Error::Success;
};

// GET with manual redirects (at most 10), so that headers of every hop are seen.
Result<FetchInfo> Fetch(std::string url, const httplib::Headers& headers, const Hooks& hooks) {
  FetchInfo info;
  for (int hop = 0; hop < 10; ++hop) {
    MT_ASSIGN_OR_RETURN(Url u, SplitUrl(url));
    httplib::Client cli(u.origin);
    cli.set_follow_location(false);
    cli.set_connection_timeout(30);
    cli.set_read_timeout(60);
    std::string location;
    bool redirect = false;
    auto res = cli.Get(
        u.path, headers,
        [&](const httplib::Response& r) {
          info.status = r.status;
          if (r.has_header("X-Linked-Etag")) {
            info.linked_etag = StripEtag(r.get_header_value("X-Linked-Etag"));
          }
          if (r.status >= 300 && r.status < 400 && r.has_header("Location")) {
            redirect = true;
            location = r.get_header_value("Location");
            return false;
          }
          return hooks.on_response(r);
        },
        [&](const char* data, size_t n) { return hooks.on_data(data, n); });
    if (redirect) {
      url = location.starts_with("/") ? u.origin + location : location;
      continue;
    }
    info.final_url = url;
    info.error = res.error();
    return info;
  }
  return IoError(url + ": too many redirects");
}

// The sha256 a plain URL's sidecar (URL.sha256) publishes, if any.
std::optional<std::string> SidecarSha256(const std::string& url) {
  std::string body;
  int status = 0;
  Hooks hooks{[&](const httplib::Response& r) {
                status = r.status;
                return r.status == 200;
              },
              [&](const char* d, size_t n) {
                body.append(d, n);
                return body.size() < 4096;
              }};
  auto info = Fetch(url + ".sha256", {}, hooks);
  if (!info.ok() || status != 200) return std::nullopt;
  std::string first = body.substr(0, body.find_first_of(" \t\r\n"));
  if (IsHex64(first)) return Lower(first);
  return std::nullopt;
}

const char* HomeDir() {
  const char* h = std::getenv("HOME");
  return h != nullptr && *h != '\0' ? h : "/tmp";
}

}  // namespace

std::string DefaultCacheDir() {
  if (const char* c = std::getenv("MIAOTUI_CACHE"); c != nullptr && *c != '\0') return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0') {
    return std::string(x) + "/miaotui";
  }
  return std::string(HomeDir()) + "/.cache/miaotui";
}

std::string HfEndpoint() {
  const char* e = std::getenv("MIAOTUI_HF_ENDPOINT");
  std::string s = e != nullptr && *e != '\0' ? e : "https://huggingface.co";
  while (s.ends_with("/")) s.pop_back();
  return s;
}

Result<PullSpec> ParsePullSpec(const std::string& spec) {
  PullSpec p;
  if (spec.starts_with("http://") || spec.starts_with("https://")) {
    MT_ASSIGN_OR_RETURN(Url u, SplitUrl(spec));
    std::string path = u.path.substr(0, u.path.find_first_of("?#"));
    p.url = spec;
    p.file = path.substr(path.rfind('/') + 1);
    if (p.file.empty()) return InvalidArgument(spec + ": the URL names no file");
    return p;
  }
  const size_t colon = spec.find(':');
  p.repo = spec.substr(0, colon);
  p.file = colon == std::string::npos ? "" : spec.substr(colon + 1);
  const size_t slash = p.repo.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == p.repo.size() ||
      p.repo.find('/', slash + 1) != std::string::npos || p.repo.find("..") != std::string::npos ||
      p.file.find("..") != std::string::npos || p.file.starts_with("/")) {
    return InvalidArgument("'" + spec + "' is neither a URL nor ORG/REPO[:FILE]");
  }
  if (!p.file.empty()) p.url = HfEndpoint() + "/" + p.repo + "/resolve/main/" + p.file;
  return p;
}

Result<PullResult> DownloadFile(const std::string& url, const std::string& dest,
                                const PullOptions& options,
                                std::optional<std::string> expected_sha256) {
  PullResult result;
  result.path = dest;
  std::error_code ec;
  if (fs::is_regular_file(dest, ec)) {
    result.cached = true;
    result.bytes = static_cast<int64_t>(fs::file_size(dest, ec));
    return result;
  }
  fs::create_directories(fs::path(dest).parent_path(), ec);
  if (ec) return IoError(dest + ": cannot create its folder: " + ec.message());
  const std::string part = dest + ".part";
  int64_t offset = fs::is_regular_file(part, ec) ? static_cast<int64_t>(fs::file_size(part)) : 0;
  httplib::Headers headers;
  if (offset > 0) headers.emplace("Range", "bytes=" + std::to_string(offset) + "-");

  std::unique_ptr<FILE, int (*)(FILE*)> out(nullptr, &std::fclose);
  int64_t done = offset, total = -1;
  std::string etag;
  Status open_error;
  Hooks hooks;
  hooks.on_response = [&](const httplib::Response& r) {
    if (r.status != 200 && r.status != 206) return false;
    if (r.status == 200) offset = 0;  // the server ignored the range: start again
    done = offset;
    result.resumed = offset > 0;
    if (r.has_header("Content-Length")) {
      total = offset + std::stoll(r.get_header_value("Content-Length"));
    }
    if (r.has_header("ETag")) etag = StripEtag(r.get_header_value("ETag"));
    out.reset(std::fopen(part.c_str(), offset > 0 ? "ab" : "wb"));
    if (!out) {
      open_error = IoError(part + ": cannot open for writing");
      return false;
    }
    return true;
  };
  hooks.on_data = [&](const char* d, size_t n) {
    if (std::fwrite(d, 1, n, out.get()) != n) return false;
    done += static_cast<int64_t>(n);
    if (options.progress) options.progress(done, total);
    return true;
  };
  MT_ASSIGN_OR_RETURN(FetchInfo info, Fetch(url, headers, hooks));
  if (!open_error.ok()) return open_error;
  const bool got_body = info.status == 200 || info.status == 206;
  if (out) {
    if (std::fflush(out.get()) != 0) return IoError(part + ": write error");
    out.reset();
  }
  if (info.status == 416 && offset > 0) {
    // Nothing after `offset`: the partial file is whole already; the checksum decides.
  } else if (!got_body) {
    if (info.status == 0) {
      return IoError(url + ": " + httplib::to_string(info.error));
    }
    const std::string what = info.status == 404 ? "not found (HTTP 404)"
                                                : "HTTP status " + std::to_string(info.status);
    return NotFound(url + ": " + what);
  } else if (info.error != httplib::Error::Success || (total >= 0 && done != total)) {
    return IoError(url + ": download cut after " + std::to_string(done) + " of " +
                   (total >= 0 ? std::to_string(total) : std::string("?")) +
                   " bytes; run the command again to resume (" + part + " is kept)");
  }
  // The digest the server publishes: X-Linked-Etag (Hugging Face LFS), an ETag that is a sha256,
  // or a sidecar URL.sha256.
  if (!expected_sha256) {
    if (IsHex64(info.linked_etag)) {
      expected_sha256 = Lower(info.linked_etag);
    } else if (IsHex64(etag)) {
      expected_sha256 = Lower(etag);
    } else {
      expected_sha256 = SidecarSha256(url);
    }
  }
  MT_ASSIGN_OR_RETURN(result.sha256, Sha256File(part));
  if (expected_sha256) {
    if (result.sha256 != Lower(*expected_sha256)) {
      fs::remove(part, ec);
      return DataLoss(url + ": checksum mismatch (sha256 " + result.sha256 + ", the server says " +
                      *expected_sha256 + "); the download was deleted");
    }
    result.verified = true;
  }
  fs::rename(part, dest, ec);
  if (ec) return IoError(part + " -> " + dest + ": rename failed: " + ec.message());
  result.bytes = static_cast<int64_t>(fs::file_size(dest, ec));
  return result;
}

namespace {

// The repository's one .gguf file (Hugging Face API listing).
Result<std::string> FindRepoGguf(const std::string& repo) {
  const std::string url = HfEndpoint() + "/api/models/" + repo;
  std::string body;
  Hooks hooks{[&](const httplib::Response& r) { return r.status == 200; },
              [&](const char* d, size_t n) {
                body.append(d, n);
                return body.size() < (64u << 20);
              }};
  MT_ASSIGN_OR_RETURN(FetchInfo info, Fetch(url, {}, hooks));
  if (info.status != 200) {
    return NotFound(url + ": cannot list the repository (HTTP " + std::to_string(info.status) +
                    "); name a file: " + repo + ":FILE");
  }
  MT_ASSIGN_OR_RETURN(nlohmann::json j, formats::ParseJson(body, url));
  std::vector<std::string> ggufs;
  if (auto s = j.find("siblings"); s != j.end() && s->is_array()) {
    for (const auto& f : *s) {
      if (f.is_object() && f.contains("rfilename") && f["rfilename"].is_string()) {
        std::string name = f["rfilename"].get<std::string>();
        if (name.ends_with(".gguf")) ggufs.push_back(name);
      }
    }
  }
  if (ggufs.size() == 1) return ggufs[0];
  std::string list;
  for (const auto& g : ggufs) list += (list.empty() ? "" : ", ") + g;
  return InvalidArgument(repo + " has " + std::to_string(ggufs.size()) +
                         " .gguf files; name one as " + repo + ":FILE" +
                         (list.empty() ? "" : " (" + list + ")"));
}

}  // namespace

Result<PullResult> Pull(const std::string& spec_text, const PullOptions& options) {
  MT_ASSIGN_OR_RETURN(PullSpec spec, ParsePullSpec(spec_text));
  const std::string cache = options.cache_dir.empty() ? DefaultCacheDir() : options.cache_dir;
  if (!spec.repo.empty() && spec.file.empty()) {
    MT_ASSIGN_OR_RETURN(spec.file, FindRepoGguf(spec.repo));
    spec.url = HfEndpoint() + "/" + spec.repo + "/resolve/main/" + spec.file;
  }
  std::string dest;
  if (!options.out_dir.empty()) {
    dest = options.out_dir + "/" + fs::path(spec.file).filename().string();
  } else if (!spec.repo.empty()) {
    dest = cache + "/" + spec.repo + "/" + spec.file;
  } else {
    MT_ASSIGN_OR_RETURN(Url u, SplitUrl(spec.url));
    std::string host = u.host;
    for (char& c : host) {
      if (c == ':') c = '_';
    }
    dest = cache + "/url/" + host + "/" + spec.file;
  }
  return DownloadFile(spec.url, dest, options);
}

std::optional<Result<std::string>> FindInCache(const std::string& arg, const std::string& cache) {
  std::error_code ec;
  if (fs::exists(arg, ec) || arg.starts_with("http://") || arg.starts_with("https://")) {
    return std::nullopt;
  }
  auto spec = ParsePullSpec(arg);
  // "dir/model.gguf" that does not exist is a mistyped path, not a repository.
  if (!spec.ok() || (spec->file.empty() && spec->repo.ends_with(".gguf"))) return std::nullopt;
  const std::string dir = cache + "/" + spec->repo;
  if (!spec->file.empty()) {
    const std::string path = dir + "/" + spec->file;
    if (fs::is_regular_file(path, ec)) return Result<std::string>(path);
    return Result<std::string>(NotFound(arg + " is not in the cache (" + path +
                                        "); fetch it with: miaotui pull " + arg));
  }
  std::vector<std::string> found;
  if (fs::is_directory(dir, ec)) {
    for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".gguf") found.push_back(e.path());
    }
  }
  if (found.size() == 1) return Result<std::string>(found[0]);
  if (found.empty()) {
    return Result<std::string>(NotFound(arg + " is not in the cache (" + dir +
                                        "); fetch it with: miaotui pull " + arg));
  }
  return Result<std::string>(InvalidArgument(arg + " has several .gguf files in " + dir +
                                             "; name one as " + arg + ":FILE"));
}

}  // namespace miaotui::pull
