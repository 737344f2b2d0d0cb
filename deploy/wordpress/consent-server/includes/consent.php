<?php
/**
 * The PHP side of a visitor's decision: read from our first-party cookie.
 *
 * The banner writes `cs_consent` = encodeURIComponent(JSON.stringify(
 * {"v": visitor, "p": policy version, "c": {purpose: 1|0}, "r": receipt, "t": time}))
 * (docs/CONTRACTS.md). A decision holds only as long as the banner would keep it:
 * from the policy's consent floor on and for `max_age_days` (consent_server_decision_holds),
 * with both read from the site configuration that remote.php fetches and caches.
 *
 * @package ConsentServer
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const CONSENT_SERVER_COOKIE = 'cs_consent';

/**
 * Decode a raw `cs_consent` cookie value into its array, or null when absent or malformed.
 *
 * PHP has already URL-decoded `$_COOKIE` values once; a value that still looks
 * percent-encoded (a proxy re-encoded it) is decoded again.
 *
 * @param mixed $raw Cookie value as found in $_COOKIE.
 * @return array|null
 */
function consent_server_parse_cookie( $raw ) {
	if ( ! is_string( $raw ) || '' === $raw || strlen( $raw ) > 4096 ) {
		return null;
	}
	$json = $raw;
	if ( '{' !== $json[0] ) {
		$json = rawurldecode( $json );
	}
	$state = json_decode( $json, true );
	if ( ! is_array( $state ) && function_exists( 'wp_unslash' ) ) {
		// Some hosts still add magic slashes to cookies.
		$state = json_decode( wp_unslash( $json ), true );
	}
	if ( ! is_array( $state ) || ! isset( $state['c'] ) || ! is_array( $state['c'] ) ) {
		return null;
	}
	return $state;
}

/**
 * The current visitor's consent state from the cookie, or null before any decision.
 *
 * @return array|null Keys v, p, c, r, t as in the contract.
 */
function consent_server_consent_state() {
	$raw = isset( $_COOKIE[ CONSENT_SERVER_COOKIE ] ) ? $_COOKIE[ CONSENT_SERVER_COOKIE ] : null; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- parsed and validated below.
	return consent_server_parse_cookie( $raw );
}

/**
 * The inputs of the banner's "ask again" rule, read from the served site configuration.
 *
 * The one place where PHP reads them; js-snippet/src/consent.js reads the same fields
 * (consent_floor, falling back to policy_version; max_age_days; the purposes). `categories`
 * maps each WP Consent API category to the purposes that share it.
 *
 * @param mixed $config The site configuration (docs/CONTRACTS.md, "Served configuration").
 * @return array|null Keys version, floor, max_age_days, purposes, categories; null when $config is not one.
 */
function consent_server_consent_rule( $config ) {
	if ( ! is_array( $config ) || ! isset( $config['policy_version'], $config['max_age_days'], $config['purposes'] ) || ! is_array( $config['purposes'] ) ) {
		return null;
	}
	$version    = (int) $config['policy_version'];
	$purposes   = array();
	$categories = array();
	foreach ( $config['purposes'] as $section ) {
		if ( ! is_array( $section ) || ! isset( $section['purpose'] ) ) {
			continue;
		}
		$purposes[] = (string) $section['purpose'];
		$mapped     = isset( $section['wp_consent_categories'] ) && is_array( $section['wp_consent_categories'] ) ? $section['wp_consent_categories'] : array();
		foreach ( $mapped as $category ) {
			$categories[ (string) $category ][] = (string) $section['purpose'];
		}
	}
	return array(
		'version'      => $version,
		'floor'        => empty( $config['consent_floor'] ) ? $version : (int) $config['consent_floor'],
		'max_age_days' => (float) $config['max_age_days'],
		'purposes'     => $purposes,
		'categories'   => $categories,
	);
}

/**
 * Whether a stored decision still holds under a rule at time $now: the banner's own test, pure.
 *
 * Mirrors createState() in js-snippet/src/consent.js: the decision's version lies between the
 * consent floor and the current version, it names every current purpose, and it is younger
 * than max_age_days. Otherwise the banner asks again and the old decision speaks for no one.
 *
 * @param mixed      $state The decoded cookie (consent_server_parse_cookie).
 * @param array|null $rule  From consent_server_consent_rule().
 * @param int        $now   Unix time.
 * @return bool
 */
function consent_server_decision_holds( $state, $rule, $now ) {
	if ( ! is_array( $state ) || ! is_array( $rule ) || ! isset( $state['p'], $state['t'], $state['c'] ) || ! is_array( $state['c'] ) ) {
		return false;
	}
	if ( ! is_numeric( $state['p'] ) || ! is_numeric( $state['t'] ) ) {
		return false;
	}
	$version = (float) $state['p'];
	if ( $version < $rule['floor'] || $version > $rule['version'] ) {
		return false;
	}
	foreach ( $rule['purposes'] as $purpose ) {
		if ( ! array_key_exists( $purpose, $state['c'] ) ) {
			return false;
		}
	}
	return (int) $now - (float) $state['t'] < $rule['max_age_days'] * 86400;
}

/**
 * The rule of this site, from the cached site configuration; null when the server cannot be read.
 *
 * @return array|null
 */
function consent_server_site_rule() {
	$config = consent_server_config();
	return is_wp_error( $config ) ? null : consent_server_consent_rule( $config );
}

/**
 * The visitor's decision in force: the cookie when it still holds, else null (the banner asks).
 *
 * Without the site configuration (plugin not set up, server unreachable) no decision holds:
 * the banner cannot load either, so nothing in the browser runs with consent, and PHP agrees.
 *
 * @return array|null Keys v, p, c, r, t as in the contract.
 */
function consent_server_decision() {
	$state = consent_server_consent_state();
	if ( null === $state ) {
		return null;
	}
	return consent_server_decision_holds( $state, consent_server_site_rule(), time() ) ? $state : null;
}

/**
 * Whether a decision grants a purpose ('necessary' always; nothing else without a decision).
 *
 * @param array|null $decision A decision in force, or null.
 * @param string     $purpose  Purpose id.
 * @return bool
 */
function consent_server_decision_grants( $decision, $purpose ) {
	if ( 'necessary' === $purpose ) {
		return true;
	}
	return is_array( $decision ) && isset( $decision['c'][ $purpose ] ) && 1 === (int) $decision['c'][ $purpose ];
}

/**
 * Whether the visitor granted a purpose (e.g. 'analytics', 'ads', 'youtube').
 *
 * 'necessary' is always true. Everything else is false until the visitor has
 * said yes to it, and false again whenever the banner asks again (a material
 * policy change, or a decision older than max_age_days). Filter
 * `consent_server_has_consent` ($granted, $purpose, $decision) lets code override
 * the answer; $decision is the decision in force, null while the banner asks.
 *
 * @param string $purpose Purpose id from the site's inventory.
 * @return bool
 */
function consent_server_has_consent( $purpose ) {
	$purpose  = (string) $purpose;
	$decision = consent_server_decision();
	$granted  = consent_server_decision_grants( $decision, $purpose );
	return (bool) apply_filters( 'consent_server_has_consent', $granted, $purpose, $decision );
}

/**
 * Whether the visitor's decision grants a WP Consent API category: every purpose mapped to it granted.
 *
 * The same combination as the banner's bridge (js-snippet/src/signals.js, combine): a category
 * shared by several purposes ("marketing" for ads, YouTube, affiliate) needs all of them.
 * Null for a category no purpose maps to (the decision says nothing about it).
 *
 * @param string $category WP Consent API category.
 * @return bool|null
 */
function consent_server_category_granted( $category ) {
	$rule = consent_server_site_rule();
	if ( null === $rule ) {
		return 'functional' === $category ? null : false;
	}
	if ( ! isset( $rule['categories'][ $category ] ) ) {
		return null;
	}
	foreach ( $rule['categories'][ $category ] as $purpose ) {
		if ( ! consent_server_has_consent( $purpose ) ) {
			return false;
		}
	}
	return true;
}
