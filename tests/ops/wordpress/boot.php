<?php
/**
 * Loads Debian's WordPress (/usr/share/wordpress) for one throwaway test site, configured here
 * from the environment instead of Debian's wp-config.php and /etc/wordpress: a database of
 * its own (SAMIZDAT_WP_DB), a wp-content folder of its own (SAMIZDAT_WP_CONTENT, where the
 * uploads go) and an address (SAMIZDAT_WP_HOME) nothing is fetched from.
 * Included at the top of the other scripts, in the global scope WordPress expects.
 */

error_reporting( E_ALL & ~E_DEPRECATED & ~E_STRICT );
ini_set( 'display_errors', 'stderr' );

foreach ( array( 'SAMIZDAT_WP_DB', 'SAMIZDAT_WP_CONTENT', 'SAMIZDAT_WP_HOME' ) as $name ) {
	if ( false === getenv( $name ) ) {
		fwrite( STDERR, "$name is not set\n" );
		exit( 2 );
	}
}

define( 'ABSPATH', ( getenv( 'SAMIZDAT_WP_ROOT' ) ?: '/usr/share/wordpress' ) . '/' );
define( 'DB_NAME', getenv( 'SAMIZDAT_WP_DB' ) );
define( 'DB_USER', getenv( 'SAMIZDAT_WP_DB_USER' ) ?: 'root' );
define( 'DB_PASSWORD', getenv( 'SAMIZDAT_WP_DB_PASSWORD' ) ?: '' );
define( 'DB_HOST', getenv( 'SAMIZDAT_WP_DB_HOST' ) ?: 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_CONTENT_DIR', getenv( 'SAMIZDAT_WP_CONTENT' ) );
define( 'WP_HOME', getenv( 'SAMIZDAT_WP_HOME' ) );
define( 'WP_SITEURL', WP_HOME );
// Nothing leaves the machine: no cron requests to the site, no update checks, no mail.
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'WP_DEBUG', false );
foreach ( array( 'AUTH', 'SECURE_AUTH', 'LOGGED_IN', 'NONCE' ) as $name ) {
	define( "{$name}_KEY", 'samizdat-test' );
	define( "{$name}_SALT", 'samizdat-test' );
}
$table_prefix = 'wp_';

// What a request would have set; WordPress reads them while loading.
$_SERVER['HTTP_HOST']   = parse_url( WP_HOME, PHP_URL_HOST );
$_SERVER['SERVER_NAME'] = $_SERVER['HTTP_HOST'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['HTTPS']       = 'on';

// Pluggable: defined before WordPress defines its own, so install notices are not mailed.
function wp_mail() {
	return true;
}

require ABSPATH . 'wp-settings.php';
