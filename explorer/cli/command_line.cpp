// CLI11 set up the explorer's way: help and version on every command, one-line usage errors.
#include "explorer/cli/command_line.h"

#include <systemc>
#include <tlm>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>

namespace llmx {
namespace {

const char* const kExplorerVersion = "0.1.0";

std::string version_text() {
  return cat("explorer ", kExplorerVersion, " (SystemC ", sc_core::sc_release(), ", TLM-2.0 ",
             tlm::tlm_release(), ")");
}

// The words of the command the parser selected (deepest first subcommand), e.g. "trace gen".
std::vector<const CLI::App*> selected_chain(const CLI::App& root) {
  std::vector<const CLI::App*> chain{&root};
  for (;;) {
    const auto subs = chain.back()->get_subcommands();
    if (subs.empty()) return chain;
    chain.push_back(subs.front());
  }
}

std::string command_words(const std::vector<const CLI::App*>& chain) {
  std::string words;
  for (size_t i = 1; i < chain.size(); ++i) words += (words.empty() ? "" : " ") + chain[i]->get_name();
  return words;
}

// Names the first option among the arguments nothing took (or the first word: an unknown command where the
// command expects one).
std::string extras_message(const std::vector<std::string>& extras, bool expects_command) {
  for (const auto& e : extras)
    if (e.size() > 1 && e[0] == '-') return cat("unknown option '", e.substr(0, e.find('=')), "'");
  return cat(expects_command ? "unknown command '" : "unexpected argument '", extras.front(), "'");
}

UsageError usage_error(const CLI::ParseError& e, const CLI::App& root) {
  const auto chain = selected_chain(root);
  const std::string words = command_words(chain);
  std::string message = e.what();
  // An argument nothing took is the first mistake to name, even when CLI11 stopped at a missing one first.
  const std::vector<std::string> extras = root.remaining(true);
  if (dynamic_cast<const CLI::ExtrasError*>(&e) || !extras.empty()) {
    message = extras_message(extras, chain.back()->get_require_subcommand_min() > 0);
  } else if (message == "A subcommand is required") {
    std::string names;
    for (const CLI::App* sub : chain.back()->get_subcommands({}))
      names += (names.empty() ? "" : ", ") + sub->get_name();
    message = cat("needs a command: ", names);
  }
  const std::string prefix = words.empty() ? "" : words + ": ";
  return UsageError(cat(prefix, message, " (explorer ", words, words.empty() ? "" : " ", "--help)"));
}

bool parse_number(const std::string& text, double& value) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto r = std::from_chars(begin, end, value);
  return !text.empty() && r.ec == std::errc() && r.ptr == end && std::isfinite(value);
}

}  // namespace

CommandLine::CommandLine()
    : root_(std::make_unique<CLI::App>("LLM inference architecture explorer: SystemC/TLM-2.0 models of "
                                       "accelerators, memories and links, driven by decode traces.",
                                       "explorer")) {
  CLI::App& app = *root_;
  app.set_help_flag("-h,--help", "print this help and exit");
  app.set_version_flag("--version", version_text(), "print the version and exit");
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();
  app.get_formatter()->column_width(36);
  app.get_formatter()->label("REQUIRED", "(required)");
  app.footer(
      "Every command takes --help. Exit status: 0 done, 1 bad input (config, trace, values; one line naming "
      "file:line and key), 2 bad command-line use.\n\nExample:\n  explorer run configs/systems/default.yaml "
      "--out results/default");
}

CLI::App& CommandLine::add(CLI::App& parent, const std::string& name, const std::string& description,
                           const std::string& example, std::function<int()> action) {
  CLI::App* cmd = parent.add_subcommand(name, description);
  cmd->set_version_flag("--version", version_text(), "print the version and exit");
  cmd->footer("Example:\n  " + example);
  if (action)
    actions_[cmd] = std::move(action);
  else
    cmd->require_subcommand(1);
  return *cmd;
}

int CommandLine::run(std::vector<std::string> args) {
  if (!args.empty() && args.front() == "help") {  // `explorer help trace gen` = `explorer trace gen --help`
    args.erase(args.begin());
    args.push_back("--help");
  }
  CLI::App& app = *root_;
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last-first
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    throw usage_error(e, app);
  }
  const CLI::App* selected = selected_chain(app).back();
  const auto action = actions_.find(selected);
  if (action == actions_.end()) throw UsageError("needs a command (explorer --help)");
  return action->second();
}

std::vector<std::vector<std::string>> CommandLine::command_paths() const {
  std::vector<std::vector<std::string>> paths;
  std::function<void(const CLI::App&, std::vector<std::string>)> walk = [&](const CLI::App& app,
                                                                            std::vector<std::string> words) {
    for (const CLI::App* sub : app.get_subcommands({})) {
      auto path = words;
      path.push_back(sub->get_name());
      paths.push_back(path);
      walk(*sub, path);
    }
  };
  walk(*root_, {});
  return paths;
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double v = 0;
        if (!parse_number(text, v) || !(v > 0)) return cat("must be a positive number, got '", text, "'");
        return {};
      },
      "> 0", "positive");
}

CLI::Validator at_least(double minimum) {
  return CLI::Validator(
      [minimum](std::string& text) -> std::string {
        double v = 0;
        if (!parse_number(text, v) || v < minimum)
          return cat("must be a number of at least ", minimum, ", got '", text, "'");
        return {};
      },
      cat(">= ", minimum), "at_least");
}

CLI::Validator between(double minimum, double maximum) {
  return CLI::Validator(
      [minimum, maximum](std::string& text) -> std::string {
        double v = 0;
        if (!parse_number(text, v) || v < minimum || v > maximum)
          return cat("must be a number between ", minimum, " and ", maximum, ", got '", text, "'");
        return {};
      },
      cat(minimum, "..", maximum), "between");
}

CLI::Validator one_of(const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : "|") + a;
  return CLI::Validator(
      [allowed, list](std::string& text) -> std::string {
        if (std::find(allowed.begin(), allowed.end(), text) == allowed.end())
          return cat("'", text, "' is not one of ", list);
        return {};
      },
      list, "one_of");
}

}  // namespace llmx
