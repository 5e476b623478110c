// Header self-containment: <taskio/threadsafe.hpp> compiles alone (no PCH), twice.
#include <taskio/threadsafe.hpp>
#include <taskio/threadsafe.hpp>
