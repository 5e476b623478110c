// Header self-containment: <taskio/run.hpp> compiles alone (no PCH), twice.
#include <taskio/run.hpp>
#include <taskio/run.hpp>
