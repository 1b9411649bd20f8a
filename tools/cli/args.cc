#include "args.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace miaotui::cli {
namespace {

Status BadValue(const std::string& name, const std::string& value, const char* expected) {
  return InvalidArgument("option --" + name + ": expected " + expected + ", got '" + value + "'");
}

template <typename T>
Status ParseInteger(const std::string& name, const std::string& v, T* out) {
  errno = 0;
  char* end = nullptr;
  if (v.empty()) return BadValue(name, v, "an integer");
  if constexpr (std::is_unsigned_v<T>) {
    if (v[0] == '-') return BadValue(name, v, "a non-negative integer");
    unsigned long long x = std::strtoull(v.c_str(), &end, 10);
    if (errno || *end) return BadValue(name, v, "a non-negative integer");
    *out = static_cast<T>(x);
  } else {
    long long x = std::strtoll(v.c_str(), &end, 10);
    if (errno || *end || x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max()) {
      return BadValue(name, v, "an integer");
    }
    *out = static_cast<T>(x);
  }
  return Status::Ok();
}

}  // namespace

ArgParser::ArgParser(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

void ArgParser::Flag(const std::string& name, const std::string& short_name, bool* out,
                     const std::string& help) {
  opts_.push_back({name, short_name, "", help, true, [out](const std::string&) {
                     *out = true;
                     return Status::Ok();
                   }});
}

void ArgParser::Option(const std::string& name, const std::string& short_name, std::string* out,
                       const std::string& metavar, const std::string& help) {
  opts_.push_back({name, short_name, metavar, help, false, [out](const std::string& v) {
                     *out = v;
                     return Status::Ok();
                   }});
}

void ArgParser::Option(const std::string& name, const std::string& short_name, int32_t* out,
                       const std::string& metavar, const std::string& help) {
  opts_.push_back({name, short_name, metavar, help, false,
                   [name, out](const std::string& v) { return ParseInteger(name, v, out); }});
}

void ArgParser::Option(const std::string& name, const std::string& short_name, int64_t* out,
                       const std::string& metavar, const std::string& help) {
  opts_.push_back({name, short_name, metavar, help, false,
                   [name, out](const std::string& v) { return ParseInteger(name, v, out); }});
}

void ArgParser::Option(const std::string& name, const std::string& short_name, uint64_t* out,
                       const std::string& metavar, const std::string& help) {
  opts_.push_back({name, short_name, metavar, help, false,
                   [name, out](const std::string& v) { return ParseInteger(name, v, out); }});
}

void ArgParser::Option(const std::string& name, const std::string& short_name, float* out,
                       const std::string& metavar, const std::string& help) {
  opts_.push_back({name, short_name, metavar, help, false, [name, out](const std::string& v) {
                     errno = 0;
                     char* end = nullptr;
                     float x = std::strtof(v.c_str(), &end);
                     if (v.empty() || errno || *end || !std::isfinite(x)) {
                       return BadValue(name, v, "a number");
                     }
                     *out = x;
                     return Status::Ok();
                   }});
}

void ArgParser::Positional(const std::string& name, std::string* out, const std::string& help,
                           bool required) {
  positionals_.push_back({name, help, out, required});
}

void ArgParser::Rest(const std::string& name, std::vector<std::string>* out,
                     const std::string& help) {
  rest_ = out;
  rest_name_ = name;
  rest_help_ = help;
}

ArgParser::Opt* ArgParser::FindOpt(const std::string& arg) {
  for (auto& o : opts_) {
    if (arg == "--" + o.name || (!o.short_name.empty() && arg == "-" + o.short_name)) return &o;
  }
  return nullptr;
}

bool ArgParser::WasSet(const std::string& name) const {
  for (const auto& o : opts_) {
    if (o.name == name) return o.seen;
  }
  return false;
}

Status ArgParser::Parse(int argc, char** argv, int first) {
  size_t next_pos = 0;
  bool only_positionals = false;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (!only_positionals && (a == "--help" || a == "-h")) {
      help_requested_ = true;
      std::fputs(Usage().c_str(), stdout);
      return Status::Ok();
    }
    if (!only_positionals && a == "--") {
      only_positionals = true;
      continue;
    }
    if (!only_positionals && a.size() > 1 && a[0] == '-' &&
        !(a.size() > 1 && (std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.'))) {
      std::string value;
      bool has_inline = false;
      if (size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_inline = true;
      }
      Opt* o = FindOpt(a);
      if (!o) return InvalidArgument("unknown option '" + a + "' (see " + command_ + " --help)");
      o->seen = true;
      if (o->is_flag) {
        if (has_inline) return InvalidArgument("option " + a + " takes no value");
        MT_RETURN_IF_ERROR(o->set(""));
        continue;
      }
      if (!has_inline) {
        if (i + 1 >= argc) return InvalidArgument("option " + a + " needs a value");
        value = argv[++i];
      }
      MT_RETURN_IF_ERROR(o->set(value));
      continue;
    }
    if (next_pos < positionals_.size()) {
      *positionals_[next_pos++].out = a;
    } else if (rest_) {
      rest_->push_back(a);
    } else {
      return InvalidArgument("unexpected argument '" + a + "' (see " + command_ + " --help)");
    }
  }
  for (size_t p = next_pos; p < positionals_.size(); ++p) {
    if (positionals_[p].required) {
      return InvalidArgument("missing " + positionals_[p].name + " (see " + command_ + " --help)");
    }
  }
  return Status::Ok();
}

std::string ArgParser::Usage() const {
  std::string s = "usage: " + command_ + " [options]";
  for (const auto& p : positionals_) s += p.required ? " " + p.name : " [" + p.name + "]";
  if (rest_) s += " [" + rest_name_ + "...]";
  s += "\n\n" + summary_ + "\n";
  if (!positionals_.empty() || rest_) s += "\narguments:\n";
  char buf[512];
  for (const auto& p : positionals_) {
    std::snprintf(buf, sizeof(buf), "  %-26s %s\n", p.name.c_str(), p.help.c_str());
    s += buf;
  }
  if (rest_) {
    std::snprintf(buf, sizeof(buf), "  %-26s %s\n", rest_name_.c_str(), rest_help_.c_str());
    s += buf;
  }
  s += "\noptions:\n";
  for (const auto& o : opts_) {
    std::string lhs = (o.short_name.empty() ? "    " : "-" + o.short_name + ", ") + "--" + o.name;
    if (!o.is_flag) lhs += " " + o.metavar;
    std::snprintf(buf, sizeof(buf), "  %-26s %s\n", lhs.c_str(), o.help.c_str());
    s += buf;
  }
  s += "  -h, --help                 show this help\n";
  return s;
}

}  // namespace miaotui::cli
