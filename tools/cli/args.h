// A small command-line parser for the subcommands: long and short options with values, boolean
// flags, positionals, and a generated --help. Values are parsed strictly: "--temp abc" or
// "-n 12x" is an error that names the option and the value.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"

namespace miaotui::cli {

class ArgParser {
 public:
  ArgParser(std::string command, std::string summary);

  void Flag(const std::string& name, const std::string& short_name, bool* out,
            const std::string& help);
  void Option(const std::string& name, const std::string& short_name, std::string* out,
              const std::string& metavar, const std::string& help);
  void Option(const std::string& name, const std::string& short_name, int32_t* out,
              const std::string& metavar, const std::string& help);
  void Option(const std::string& name, const std::string& short_name, int64_t* out,
              const std::string& metavar, const std::string& help);
  void Option(const std::string& name, const std::string& short_name, uint64_t* out,
              const std::string& metavar, const std::string& help);
  void Option(const std::string& name, const std::string& short_name, float* out,
              const std::string& metavar, const std::string& help);
  // Positionals are filled in order; `rest` takes every remaining positional.
  void Positional(const std::string& name, std::string* out, const std::string& help,
                  bool required);
  void Rest(const std::string& name, std::vector<std::string>* out, const std::string& help);

  // Parses argv[first..argc). On --help, prints Usage() to stdout and sets help_requested().
  Status Parse(int argc, char** argv, int first);
  bool help_requested() const { return help_requested_; }
  bool WasSet(const std::string& name) const;
  std::string Usage() const;

 private:
  struct Opt {
    std::string name, short_name, metavar, help;
    bool is_flag = false;
    std::function<Status(const std::string&)> set;
    bool seen = false;
  };
  struct Pos {
    std::string name, help;
    std::string* out;
    bool required;
  };
  Opt* FindOpt(const std::string& arg);

  std::string command_, summary_;
  std::vector<Opt> opts_;
  std::vector<Pos> positionals_;
  std::vector<std::string>* rest_ = nullptr;
  std::string rest_name_, rest_help_;
  bool help_requested_ = false;
};

}  // namespace miaotui::cli
