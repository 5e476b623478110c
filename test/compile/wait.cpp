// Header self-containment: <taskio/wait.hpp> compiles alone (no PCH), twice.
#include <taskio/wait.hpp>
#include <taskio/wait.hpp>
