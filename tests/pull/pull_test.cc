// miaotui pull against a loopback HTTP server (cpp-httplib, in process): downloads with ETag,
// X-Linked-Etag (Hugging Face layout with a redirect) and sidecar sha256 checks, resume after a
// cut and from an existing .part, a 404, a checksum mismatch, the cache lookup for -m.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pull.h"
#include "sha256.h"

namespace miaotui::pull {
namespace {
namespace fs = std::filesystem;

std::string Content(int seed, size_t n) {
  std::string s(n, '\0');
  uint32_t x = 2463534242u + seed;
  for (char& c : s) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    c = static_cast<char>(x);
  }
  return s;
}

std::string Sha(const std::string& s) {
  Sha256 h;
  h.Update(s.data(), s.size());
  return h.HexDigest();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = Content(1, 300000);
    other_ = Content(2, 1000);
    dir_ = fs::temp_directory_path() / ("miaotui_pull_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto serve = [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.set_header("ETag", "\"" + Sha(data_) + "\"");
      res.set_content(data_, "application/octet-stream");
    };
    server_.Get("/data/model.gguf", serve);
    server_.Get("/cdn/m.gguf", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.set_content(data_, "application/octet-stream");
    });
    server_.Get("/org/repo/resolve/main/m.gguf",
                [this](const httplib::Request&, httplib::Response& res) {
                  res.status = 302;
                  res.set_header("Location", "/cdn/m.gguf");
                  res.set_header("X-Linked-Etag", "\"" + Sha(data_) + "\"");
                });
    server_.Get("/api/models/org/repo", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"siblings": [{"rfilename": "README.md"}, {"rfilename": "m.gguf"}]})",
                      "application/json");
    });
    server_.Get("/bad/model.gguf", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("ETag", "\"" + Sha(other_) + "\"");
      res.set_content(data_, "application/octet-stream");
    });
    server_.Get("/side/f.bin", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(data_, "application/octet-stream");
    });
    server_.Get("/side/f.bin.sha256", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(Sha(data_) + "  f.bin\n", "text/plain");
    });
    // The first request is cut halfway (the connection closes); later ones are whole or ranged.
    server_.Get("/cut/model.gguf", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      const bool cut = cut_requests_++ == 0;
      res.set_header("ETag", "\"" + Sha(data_) + "\"");
      res.set_content_provider(
          data_.size(), "application/octet-stream",
          [this, cut](size_t offset, size_t length, httplib::DataSink& sink) {
            if (cut && offset >= data_.size() / 2) return false;
            const size_t n = std::min<size_t>(length, 16384);
            sink.write(data_.data() + offset, n);
            return true;
          });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    base_ = "http://127.0.0.1:" + std::to_string(port_);
    opts_.out_dir = (dir_ / "out").string();
    opts_.cache_dir = (dir_ / "cache").string();
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    fs::remove_all(dir_);
  }
  void Record(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    ranges_.push_back(req.get_header_value("Range"));
  }

  std::string data_, other_;
  fs::path dir_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string base_;
  PullOptions opts_;
  std::mutex mu_;
  std::vector<std::string> ranges_;
  std::atomic<int> cut_requests_{0};
};

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_F(PullTest, DownloadsAndChecksTheEtag) {
  auto r = Pull(base_ + "/data/model.gguf", opts_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->verified);
  EXPECT_EQ(r->path, opts_.out_dir + "/model.gguf");
  EXPECT_EQ(ReadAll(r->path), data_);
  EXPECT_FALSE(fs::exists(r->path + ".part"));
  auto again = Pull(base_ + "/data/model.gguf", opts_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->cached);
}

TEST_F(PullTest, ResumesAfterACut) {
  auto first = Pull(base_ + "/cut/model.gguf", opts_);
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.status().message().find("resume"), std::string::npos)
      << first.status().message();
  const std::string dest = opts_.out_dir + "/model.gguf";
  EXPECT_FALSE(fs::exists(dest));
  ASSERT_TRUE(fs::exists(dest + ".part"));
  const auto partial = fs::file_size(dest + ".part");
  EXPECT_GT(partial, 0u);
  EXPECT_LT(partial, data_.size());
  auto second = Pull(base_ + "/cut/model.gguf", opts_);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_TRUE(second->resumed);
  EXPECT_TRUE(second->verified);
  EXPECT_EQ(ReadAll(dest), data_);
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(ranges_.size(), 2u);
  EXPECT_EQ(ranges_[1], "bytes=" + std::to_string(partial) + "-");
}

TEST_F(PullTest, ContinuesAnExistingPartialFile) {
  fs::create_directories(opts_.out_dir);
  {
    std::ofstream part(opts_.out_dir + "/model.gguf.part", std::ios::binary);
    part.write(data_.data(), 1000);
  }
  auto r = Pull(base_ + "/data/model.gguf", opts_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->resumed);
  EXPECT_EQ(ReadAll(r->path), data_);
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(ranges_.size(), 1u);
  EXPECT_EQ(ranges_[0], "bytes=1000-");
}

TEST_F(PullTest, NotFoundLeavesNothing) {
  auto r = Pull(base_ + "/missing/model.gguf", opts_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("404"), std::string::npos);
  EXPECT_FALSE(fs::exists(opts_.out_dir + "/model.gguf"));
  EXPECT_FALSE(fs::exists(opts_.out_dir + "/model.gguf.part"));
}

TEST_F(PullTest, ChecksumMismatchDeletesTheDownload) {
  auto r = Pull(base_ + "/bad/model.gguf", opts_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("checksum mismatch"), std::string::npos);
  EXPECT_FALSE(fs::exists(opts_.out_dir + "/model.gguf"));
  EXPECT_FALSE(fs::exists(opts_.out_dir + "/model.gguf.part"));
}

TEST_F(PullTest, SidecarSha256) {
  auto r = Pull(base_ + "/side/f.bin", opts_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->verified);
}

TEST_F(PullTest, HuggingFaceRepoIntoTheCacheThenFoundByName) {
  ::setenv("MIAOTUI_HF_ENDPOINT", base_.c_str(), 1);
  PullOptions o = opts_;
  o.out_dir.clear();
  auto r = Pull("org/repo", o);
  ::unsetenv("MIAOTUI_HF_ENDPOINT");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->path, o.cache_dir + "/org/repo/m.gguf");
  EXPECT_TRUE(r->verified);  // X-Linked-Etag on the redirect
  EXPECT_EQ(ReadAll(r->path), data_);
  auto found = FindInCache("org/repo", o.cache_dir);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->ok());
  EXPECT_EQ(**found, r->path);
  auto missing = FindInCache("org/other", o.cache_dir);
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->ok());
  EXPECT_NE(missing->status().message().find("miaotui pull org/other"), std::string::npos);
  EXPECT_FALSE(FindInCache(o.cache_dir, o.cache_dir).has_value());  // an existing path
}

TEST(PullSpecTest, Parses) {
  auto hf = ParsePullSpec("org/repo:sub/f.gguf");
  ASSERT_TRUE(hf.ok());
  EXPECT_EQ(hf->repo, "org/repo");
  EXPECT_EQ(hf->file, "sub/f.gguf");
  EXPECT_NE(hf->url.find("/org/repo/resolve/main/sub/f.gguf"), std::string::npos);
  auto url = ParsePullSpec("https://example.com/a/b.gguf?download=1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->file, "b.gguf");
  EXPECT_FALSE(ParsePullSpec("justaname").ok());
  EXPECT_FALSE(ParsePullSpec("a/b/c").ok());
  EXPECT_FALSE(ParsePullSpec("org/repo:../x").ok());
  EXPECT_FALSE(ParsePullSpec("ftp://x/y").ok());
}

}  // namespace
}  // namespace miaotui::pull
