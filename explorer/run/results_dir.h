// What the explorer may write, replace and delete on disk: only what it wrote itself.
//
// A results directory (an `explorer run --out DIR`, a sweep's points/<key>/) holds a manifest,
// explorer-manifest.txt, naming every file the explorer wrote into it with the FNV-1a of its bytes. The
// explorer replaces or deletes such a directory only when every entry in it is a regular file its manifest
// lists, unchanged since it was written; anything else there (a user's file, a changed result, a
// subdirectory, a link) makes it refuse with one line and touch nothing. It never writes over the working
// directory or a directory that holds it, nor a directory holding an input of the run (config, include,
// trace). Replacing is atomic: the new results are staged beside the old ones, and swapped in with one
// rename(2) (RENAME_EXCHANGE), so a kill at any moment leaves either the old or the new results in place.
//
// Single output files (reports, traces, CSV files) replace an existing file only when it is one of the
// explorer's own of the same kind (the caller says how to recognise one), through a staged file and a
// rename. Leaves out: locking against a second explorer writing the same directory (the sweep locks its own).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace llmx {

inline constexpr const char* kManifestName = "explorer-manifest.txt";

struct OutputFile {
  std::string name;  // a plain file name, no directories
  std::string text;
};

// Throws llmx::Error unless `out` may receive results: it does not exist, is an empty directory, or is an
// earlier results directory holding only its manifest's unchanged files; and it neither is nor holds the
// working directory or any of `inputs`.
void check_results_dir(const std::filesystem::path& out, const std::vector<std::string>& inputs);

// Writes `files` (and their manifest) to a staging directory beside `out` and installs it as `out`,
// replacing an earlier results directory atomically. Checks `out` as check_results_dir does.
void install_results_dir(const std::filesystem::path& out, const std::vector<OutputFile>& files,
                         const std::vector<std::string>& inputs);

// Adds files to an existing results directory (or replaces the explorer's own earlier ones there) and
// records them in its manifest. Throws when a file of that name exists that the manifest does not list.
void add_to_results_dir(const std::filesystem::path& dir, const std::vector<OutputFile>& files);

// True when `dir` holds a manifest.
bool is_results_dir(const std::filesystem::path& dir);

// Deletes a directory the explorer wrote: the files its manifest lists, the manifest, then the directory.
// `staging`: a staging directory a killed run left behind, whose files may be half-written (their hashes are
// not checked). Returns false, deleting nothing, when the directory holds anything else.
bool remove_results_dir(const std::filesystem::path& dir, bool staging);

// Writes `text` to `path` through a staged file renamed into place. An existing `path` is replaced only when
// `ours` (given the file's first bytes) recognises it as the explorer's own `what` (e.g. "HTML report");
// otherwise, or when it is a directory or a link, the call throws and changes nothing.
void write_output_file(const std::filesystem::path& path, const std::string& text, const std::string& what,
                       const std::function<bool(const std::string& head)>& ours);

// Throws unless an existing `path` is a file `ours` recognises (as write_output_file checks), for writers
// that stream their output and check before they start.
void check_output_file(const std::filesystem::path& path, const std::string& what,
                       const std::function<bool(const std::string& head)>& ours);

// The first bytes of a file ("" when unreadable).
std::string file_head(const std::filesystem::path& path, size_t bytes = 4096);

// A path with a trailing separator and "." / ".." parts folded away, as the directory's own name.
std::filesystem::path output_path(const std::string& given);

}  // namespace llmx
