// The subcommands of the `miaotui` binary. Each returns the process exit status: 0 on success,
// 1 after printing a one-line error to stderr.
#pragma once

#include <string>

#include "base/status.h"

namespace miaotui::cli {

int RunCommand(int argc, char** argv);       // miaotui run
int ChatCommand(int argc, char** argv);      // miaotui chat
int TokenizeCommand(int argc, char** argv);  // miaotui tokenize
int TemplateCommand(int argc, char** argv);  // miaotui template
int InfoCommand(int argc, char** argv);      // miaotui info
int SynthCommand(int argc, char** argv);     // miaotui synth
int BenchCommand(int argc, char** argv);     // miaotui bench
int GraphCommand(int argc, char** argv);     // miaotui graph
int PerplexityCommand(int argc, char** argv);  // miaotui perplexity
int QuantizeCommand(int argc, char** argv);    // miaotui quantize
int PruneCommand(int argc, char** argv);       // miaotui prune
int ReportCommand(int argc, char** argv);      // miaotui report
int ConvertCommand(int argc, char** argv);     // miaotui convert
int PullCommand(int argc, char** argv);        // miaotui pull
int EmbedCommand(int argc, char** argv);     // miaotui embed
int ClassifyCommand(int argc, char** argv);  // miaotui classify
int ServeCommand(int argc, char** argv);     // miaotui serve

// Prints "miaotui: error: <message>" to stderr and returns 1.
int Fail(const Status& status);

// The thread count to compute with: `requested` (0 or less: every CPU this process may run on),
// capped at that CPU count with a note on stderr (once). A team larger than its CPUs spends its
// time waiting at barriers for members that are not running: on 2 cores -t 3 and -t 4 ran at
// 0.71 and 0.78 of -t 2 before the cap (docs/BENCHMARKS.md).
int ResolveThreads(int requested);

}  // namespace miaotui::cli
