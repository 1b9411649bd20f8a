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

}  // namespace miaotui::cli
