# wfpkit-sources.cmake - the driver's sources for a CMake build that embeds it (the
# simulator's libwfpsim). Include it, then pass the variables to the hook, for example:
#   include(${WFPKIT_DRIVER_DIR}/wfpkit-sources.cmake)
#   set(WFPSIM_DRIVER_SOURCES "${WFPKIT_DRIVER_SOURCES}")
#   set(WFPSIM_DRIVER_INCLUDE_DIRS "${WFPKIT_DRIVER_INCLUDE_DIRS}")
#   set(WFPSIM_DRIVER_DEFINITIONS "${WFPKIT_DRIVER_DEFINITIONS}")
# Generated from the same list as src/win/sources.txt (test/files.test.ts keeps them equal).
set(_wk_dir "${CMAKE_CURRENT_LIST_DIR}")
set(WFPKIT_DRIVER_SOURCES
  "${_wk_dir}/src/core/app.c"
  "${_wk_dir}/src/core/classify.c"
  "${_wk_dir}/src/core/classify_http.c"
  "${_wk_dir}/src/core/classify_ssh.c"
  "${_wk_dir}/src/core/classify_tls.c"
  "${_wk_dir}/src/core/core.c"
  "${_wk_dir}/src/core/dispatch.c"
  "${_wk_dir}/src/core/event.c"
  "${_wk_dir}/src/core/flow.c"
  "${_wk_dir}/src/core/hidx.c"
  "${_wk_dir}/src/core/ring.c"
  "${_wk_dir}/src/core/session.c"
  "${_wk_dir}/src/core/tag.c"
  "${_wk_dir}/src/win/callouts.c"
  "${_wk_dir}/src/win/driver.c"
  "${_wk_dir}/src/win/irp.c"
  "${_wk_dir}/src/win/platform_win.c"
  "${_wk_dir}/src/win/sim_pressure.c"
  "${_wk_dir}/src/win/tagging.c")
set(WFPKIT_DRIVER_INCLUDE_DIRS "${_wk_dir}/include" "${_wk_dir}/src/core" "${_wk_dir}/src/win")
set(WFPKIT_DRIVER_DEFINITIONS "WK_SIMULATED=1")
unset(_wk_dir)
