package dev.clstream.serde;

import static dev.clstream.serde.RegistrySettings.BASIC_AUTH_CREDENTIALS_SOURCE;
import static dev.clstream.serde.RegistrySettings.BASIC_AUTH_USER_INFO;
import static dev.clstream.serde.RegistrySettings.SCHEMA_REGISTRY_URL;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One answer of the Schema Registry, and what the client reads from it: JSON, an id, an error and its message. */
record RegistryResponse(String url, int status, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_IN_MESSAGE = 1000;

    boolean ok() {
        return status / 100 == 2;
    }

    JsonNode json(String action) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || n.isMissingNode()) {
                throw new SchemaRegistryException("unexpected empty answer " + action + " from " + url
                        + " (HTTP " + status + ")", status, -1);
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException("unexpected answer " + action + " from " + url + " (HTTP "
                    + status + "), not JSON: " + truncate(body), status, -1);
        }
    }

    int id(String action) {
        JsonNode id = json(action).get("id");
        if (id == null || !id.canConvertToInt() || !id.isIntegralNumber()) {
            throw new SchemaRegistryException("unexpected answer " + action + " from " + url + ": no integer \"id\" in "
                    + truncate(body), status, -1);
        }
        return id.intValue();
    }

    /** The Confluent error_code of an error answer; -1 when the body is not a registry error. */
    int errorCode() {
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode code = n == null ? null : n.get("error_code");
            return code != null && code.canConvertToInt() ? code.intValue() : -1;
        } catch (JsonProcessingException e) {
            return -1;
        }
    }

    /** The registry's "message", or else the body. */
    String message() {
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode m = n == null ? null : n.get("message");
            if (m != null && m.isTextual() && !m.asText().isBlank()) {
                return truncate(m.asText());
            }
        } catch (JsonProcessingException e) {
            // fall through: not JSON
        }
        return truncate(body);
    }

    SchemaRegistryException failure(String action) {
        int code = errorCode();
        String hint = "";
        if (status == 401 || status == 403) {
            hint = " (check " + BASIC_AUTH_CREDENTIALS_SOURCE + " and " + BASIC_AUTH_USER_INFO + ")";
        } else if (status == 404 && code < 0) {
            hint = " (is " + SCHEMA_REGISTRY_URL + " the registry's base URL? Apicurio's Confluent API is at "
                    + "http://host:port/apis/ccompat/v7)";
        }
        return new SchemaRegistryException(action + " failed: " + url + " answered HTTP " + status
                + (code >= 0 ? " (error_code " + code + ")" : "") + ": " + truncate(body) + hint, status, code);
    }

    static String truncate(String s) {
        if (s == null || s.isEmpty()) {
            return "(empty body)";
        }
        String one = s.strip();
        return one.length() <= MAX_BODY_IN_MESSAGE ? one : one.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }
}
