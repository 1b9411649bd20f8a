#include "chat_repl.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <string>

namespace miaotui::cli {
namespace {

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted.store(true); }

enum class ReadResult { kLine, kEof, kInterrupted };

// Line reader on fd 0 with read(2), so a SIGINT interrupts a waiting read (EINTR).
class LineReader {
 public:
  ReadResult Next(std::string* line) {
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        *line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!line->empty() && line->back() == '\r') line->pop_back();
        return ReadResult::kLine;
      }
      if (eof_) {
        if (buf_.empty()) return ReadResult::kEof;
        *line = std::move(buf_);
        buf_.clear();
        return ReadResult::kLine;
      }
      char chunk[4096];
      ssize_t n = ::read(0, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) {
        if (g_interrupted.exchange(false)) return ReadResult::kInterrupted;
        continue;
      }
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  std::string buf_;
  bool eof_ = false;
};

void Error(const std::string& message) {
  std::fprintf(stderr, "miaotui: error: %s\n", message.c_str());
}

void Note(const std::string& message) { std::fprintf(stderr, "miaotui: %s\n", message.c_str()); }

const char* ReasonText(runtime::StopReason r) {
  switch (r) {
    case runtime::StopReason::kEndOfGeneration: return "end of turn";
    case runtime::StopReason::kEndOfTurnText: return "end-of-turn text";
    case runtime::StopReason::kLength: return "token limit (-n)";
    case runtime::StopReason::kContextFull: return "context full";
    case runtime::StopReason::kCancelled: return "interrupted";
  }
  return "";
}

void SendMessage(runtime::Chat& chat, const std::string& text, const ReplOptions& options) {
  g_interrupted.store(false);
  auto reply = chat.Send(
      text,
      [](std::string_view s) {
        std::fwrite(s.data(), 1, s.size(), stdout);
        std::fflush(stdout);
      },
      &g_interrupted);
  if (!reply.ok()) {
    Error(reply.status().message() +
          (reply.status().code() == StatusCode::kOutOfRange
               ? " (/reset to start over, or a larger -c)"
               : ""));
    return;
  }
  std::fputc('\n', stdout);
  std::fflush(stdout);
  if (reply->reason == runtime::StopReason::kContextFull) {
    Note("the context is full: the reply was cut off (/reset to start over, or a larger -c)");
  }
  if (options.verbose) {
    std::fprintf(stderr,
                 "miaotui: prompt: %lld tokens reused, %lld evaluated in %.0f ms | reply: %d "
                 "tokens, %.1f tok/s, stopped at %s\n",
                 static_cast<long long>(reply->prompt_reused),
                 static_cast<long long>(reply->prompt_evaluated), reply->prompt_seconds * 1e3,
                 reply->n_tokens, reply->n_tokens / std::max(reply->generate_seconds, 1e-9),
                 ReasonText(reply->reason));
  }
}

constexpr char kHelp[] =
    "commands: /reset (forget the conversation), /save FILE, /load FILE (JSON messages), "
    "/exit; Ctrl-C stops a reply";

// Runs a /command; false when the loop should end.
bool RunCommandLine(runtime::Chat& chat, const std::string& line) {
  size_t sp = line.find(' ');
  std::string cmd = line.substr(0, sp);
  std::string arg;
  if (sp != std::string::npos) {
    size_t b = line.find_first_not_of(' ', sp), e = line.find_last_not_of(" \t");
    if (b != std::string::npos) arg = line.substr(b, e - b + 1);
  }
  if (cmd == "/exit" || cmd == "/quit") return false;
  if (cmd == "/help") {
    Note(kHelp);
  } else if (cmd == "/reset") {
    chat.Reset();
    Note("conversation reset");
  } else if (cmd == "/save" || cmd == "/load") {
    if (arg.empty()) {
      Error(cmd + " needs a file name");
      return true;
    }
    Status s = cmd == "/save" ? chat.Save(arg) : chat.Load(arg);
    if (!s.ok()) {
      Error(s.message());
    } else {
      Note((cmd == "/save" ? "saved " : "loaded ") + std::to_string(chat.messages().size()) +
           " messages " + (cmd == "/save" ? "to " : "from ") + arg);
    }
  } else {
    Error("unknown command '" + cmd + "' (" + kHelp + ")");
  }
  return true;
}

}  // namespace

void InstallInterruptHandler() {
  struct sigaction sa = {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a waiting read returns EINTR
  sigaction(SIGINT, &sa, nullptr);
  // Threads started from now on (the compute pool) inherit a blocked SIGINT, so the signal
  // always reaches the REPL thread, which unblocks it.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int RunChatRepl(runtime::Chat& chat, const ReplOptions& options) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  LineReader reader;
  bool last_was_interrupt = false;
  for (;;) {
    if (options.show_prompt) {
      std::fputs("> ", stdout);
      std::fflush(stdout);
    }
    std::string line;
    ReadResult r = reader.Next(&line);
    if (r == ReadResult::kEof) break;
    if (r == ReadResult::kInterrupted) {
      std::fputc('\n', stdout);
      if (last_was_interrupt) break;
      last_was_interrupt = true;
      Note("press Ctrl-C again or type /exit to quit");
      continue;
    }
    last_was_interrupt = false;
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line[0] == '/') {
      if (!RunCommandLine(chat, line)) break;
      continue;
    }
    SendMessage(chat, line, options);
    last_was_interrupt = g_interrupted.exchange(false);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace miaotui::cli
