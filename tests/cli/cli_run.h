// Runs the `miaotui` binary for the CLI tests: arguments through the shell, optional stdin from a
// file, stdout and stderr captured exactly (bytes), exit status decoded.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "test_util.h"

namespace miaotui::testing {

struct CliRun {
  int status = -1;  // exit status; -1 if killed by a signal
  std::string out, err;
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteWholeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Single-quotes `s` for /bin/sh.
inline std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// `args` is pasted into the shell command line as is; `stdin_path` empty means /dev/null.
inline CliRun RunMiaotui(const std::string& args, const std::string& stdin_path = "") {
  TempDir dir;
  std::string cmd = CliPath() + " " + args + " <" +
                    (stdin_path.empty() ? std::string("/dev/null") : ShellQuote(stdin_path)) +
                    " >" + dir.File("out") + " 2>" + dir.File("err");
  int rc = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = ReadWholeFile(dir.File("out"));
  r.err = ReadWholeFile(dir.File("err"));
  return r;
}

}  // namespace miaotui::testing
