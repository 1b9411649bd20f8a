// The interactive loop of `miaotui chat`: reads lines from stdin (fd 0), runs the commands
// (/reset, /save FILE, /load FILE, /exit, /help) and sends everything else as a user message,
// streaming the reply to stdout followed by a newline. EOF or /exit ends the loop.
//
// Ctrl-C (SIGINT) while a reply streams stops that reply (it is kept, cut off) and returns to the
// prompt; Ctrl-C at the prompt prints a hint, and quits when the previous Ctrl-C came right
// before (a cancelled reply or a first Ctrl-C at the prompt). Problems inside the loop (an
// unreadable file, a conversation that overflows the context) print a one-line error to stderr
// and the loop goes on. InstallInterruptHandler() must be called in the main thread before any
// other thread starts (it blocks SIGINT; the loop unblocks it in the calling thread only).
#pragma once

#include "runtime/chat.h"

namespace miaotui::cli {

struct ReplOptions {
  bool verbose = false;  // per-turn prompt/reply token counts and speed on stderr
  bool show_prompt = false;  // print "> " before each input line (when stdin is a terminal)
};

void InstallInterruptHandler();
// Returns the process exit status (0).
int RunChatRepl(runtime::Chat& chat, const ReplOptions& options);

}  // namespace miaotui::cli
