# Registers one ctest per pytest file of a folder, with the built programs in the environment.
function(smtph_pytest_suite label)
    file(GLOB test_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_*.py)
    set(programs)
    foreach(pair "SMTP_MOCK=smtp-mock" "SMTP_PROBE=smtp-probe" "SMTP_HARNESS=smtp-harness"
                 "SMTP_VERIFY_CHECK=smtp-verify-check" "PACE_CLIENT=pace_client")
        string(REPLACE "=" ";" kv ${pair})
        list(GET kv 0 var)
        list(GET kv 1 target)
        if(TARGET ${target})
            list(APPEND programs "${var}=$<TARGET_FILE:${target}>")
        endif()
    endforeach()
    # Tests that measure memory skip that measurement when the programs run under AddressSanitizer
    # (its allocator keeps freed memory in quarantine, so RSS says nothing there).
    if(SMTPH_SANITIZE)
        list(APPEND programs "SMTPH_SANITIZED=1")
    endif()
    foreach(file ${test_files})
        get_filename_component(name ${file} NAME_WE)
        add_test(NAME ${label}.${name}
                 COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${file})
        set_tests_properties(${label}.${name} PROPERTIES
            LABELS ${label}
            TIMEOUT 900
            ENVIRONMENT "${programs};SMTPH_SOURCE_DIR=${PROJECT_SOURCE_DIR};SMTPH_BINARY_DIR=${PROJECT_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1")
        # A real browser takes both cores in bursts: its tests run alone, so that neither they
        # nor the timing of the daemons other tests start suffer from the other.
        if(name MATCHES "_browser$")
            set_tests_properties(${label}.${name} PROPERTIES RUN_SERIAL TRUE)
        endif()
    endforeach()
endfunction()
