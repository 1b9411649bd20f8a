// Minimal leveled logging to stderr. The level is process-wide (set once by the CLI).
#pragma once

#include <cstdarg>

namespace miaotui {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kSilent = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void LogPrintf(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace miaotui

#define MT_LOG_DEBUG(...) ::miaotui::LogPrintf(::miaotui::LogLevel::kDebug, __VA_ARGS__)
#define MT_LOG_INFO(...) ::miaotui::LogPrintf(::miaotui::LogLevel::kInfo, __VA_ARGS__)
#define MT_LOG_WARNING(...) ::miaotui::LogPrintf(::miaotui::LogLevel::kWarning, __VA_ARGS__)
#define MT_LOG_ERROR(...) ::miaotui::LogPrintf(::miaotui::LogLevel::kError, __VA_ARGS__)
