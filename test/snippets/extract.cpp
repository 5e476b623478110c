// Extracts the C++ snippets of one markdown page into one translation unit,
// so that the test suite compiles every code block of README.md and doc/
// (see test/snippets/README.md for the conventions):
//
//   taskio_doc_extract <page.md> <out.cpp> <page path from the source root> <source root>
//
// A ```cpp block is compiled at namespace scope (declarations, or a whole
// program with its #includes and main); ```cpp fragment is compiled as the
// body of a coroutine returning asio::awaitable<void>, with
// `using namespace taskio;`; ```cpp synopsis is not compiled (signature
// listings); ```cpp excerpt <path> quotes a file of the repository: every
// line of it (but "...") must appear in that file, so the quote cannot drift. An HTML comment starting with "<!-- cpp prelude" adds hidden
// code at namespace scope, visible to the blocks after it on the page.
// Every block gets its own namespace; #include lines move to the top of the
// file; #line directives point diagnostics at the markdown page.
// Plain standard C++ on purpose: it is built before anything else.

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct block {
  enum kind_t { scope, fragment, prelude } kind;
  std::size_t first_line;              // 1-based line of the first code line
  std::vector<std::string> lines;
};

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Removes up to `n` leading spaces (a fence indented inside a list item).
std::string unindent(const std::string& s, std::size_t n) {
  std::size_t i = 0;
  while (i < n && i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

// Every line of the block page[open+1, close) but "..." lines must appear
// (trimmed) inside one line of `file`.
bool check_excerpt(const std::vector<std::string>& page, std::size_t open, std::size_t close,
                   const std::string& file, const std::string& shown) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << shown << ":" << open + 1 << ": error: excerpt of " << file
              << ", which cannot be read\n";
    return false;
  }
  std::vector<std::string> source;
  for (std::string line; std::getline(in, line);) source.push_back(line);
  bool ok = true;
  for (std::size_t k = open + 1; k < close && k < page.size(); ++k) {
    const std::string t = trim(page[k]);
    if (t.empty() || t == "...") continue;
    bool found = false;
    for (const auto& l : source)
      if (l.find(t) != std::string::npos) {
        found = true;
        break;
      }
    if (!found) {
      std::cerr << shown << ":" << k + 1 << ": error: this line of the excerpt is not in "
                << file << ": " << t << "\n";
      ok = false;
    }
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: taskio_doc_extract <page.md> <out.cpp> <page path> <source root>\n";
    return 2;
  }
  const std::string shown = argv[3];
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << argv[1] << ": cannot read\n";
    return 2;
  }
  std::vector<std::string> page;
  for (std::string line; std::getline(in, line);) page.push_back(line);

  std::vector<block> blocks;
  bool failed = false;
  for (std::size_t i = 0; i < page.size(); ++i) {
    const std::string t = trim(page[i]);
    if (starts_with(t, "<!-- cpp prelude")) {
      block b{block::prelude, i + 2, {}};
      std::size_t j = i + 1;
      for (; j < page.size() && trim(page[j]).find("-->") == std::string::npos; ++j)
        b.lines.push_back(page[j]);
      if (j == page.size()) {
        std::cerr << shown << ":" << i + 1 << ": error: unterminated <!-- cpp prelude\n";
        return 1;
      }
      blocks.push_back(std::move(b));
      i = j;
      continue;
    }
    if (!starts_with(t, "```")) continue;
    const std::size_t indent = page[i].find('`');
    std::istringstream info(t.substr(3));
    std::string lang, kind;
    info >> lang >> kind;
    // Find the closing fence (any block, so that fences inside other
    // languages' blocks are not taken for C++).
    std::size_t j = i + 1;
    while (j < page.size() && trim(page[j]) != "```") ++j;
    if (lang == "cpp" || lang == "c++") {
      block b{block::scope, i + 2, {}};
      if (kind == "fragment") {
        b.kind = block::fragment;
      } else if (kind == "synopsis") {
        i = j;
        continue;
      } else if (kind == "excerpt") {
        std::string path;
        info >> path;
        if (!check_excerpt(page, i, j, std::string(argv[4]) + "/" + path, shown)) failed = true;
        i = j;
        continue;
      } else if (!kind.empty()) {
        std::cerr << shown << ":" << i + 1 << ": error: unknown snippet kind '" << kind
                  << "' (```cpp, ```cpp fragment, ```cpp synopsis or ```cpp excerpt <path>)\n";
        failed = true;
      }
      for (std::size_t k = i + 1; k < j && k < page.size(); ++k)
        b.lines.push_back(unindent(page[k], indent));
      blocks.push_back(std::move(b));
    }
    i = j;
  }
  if (failed) return 1;

  std::ostringstream out;
  out << "// Generated from " << shown << " by test/snippets/extract.cpp: do not edit.\n";
  if (blocks.empty()) {
    out << "// (no C++ snippet on this page)\n";
  } else {
    out << "#include <taskio.hpp>\n";
    // #include lines of every block, hoisted out of the namespaces.
    for (auto& b : blocks)
      for (auto& l : b.lines)
        if (starts_with(trim(l), "#include")) {
          out << trim(l) << "\n";
          l.clear();
        }
    out << "\nnamespace taskio_doc_snippets {\n"
           "namespace asio = boost::asio;\n"
           "using namespace std::chrono_literals;\n\n";
    for (const auto& b : blocks) {
      if (b.kind != block::prelude) out << "namespace block_" << b.first_line << " {\n";
      if (b.kind == block::fragment)
        out << "[[maybe_unused]] asio::awaitable<void> fragment() {\n"
               "using namespace taskio;\n";
      out << "#line " << b.first_line << " \"" << shown << "\"\n";
      for (const auto& l : b.lines) out << l << "\n";
      if (b.kind == block::fragment) out << "co_return;\n}\n";
      if (b.kind != block::prelude) out << "}  // namespace block_" << b.first_line << "\n";
      out << "\n";
    }
    out << "}  // namespace taskio_doc_snippets\n";
  }

  const std::string text = out.str();
  std::ofstream o(argv[2]);
  o << text;
  if (!o) {
    std::cerr << argv[2] << ": cannot write\n";
    return 2;
  }
  return 0;
}
