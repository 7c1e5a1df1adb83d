"""What people see: the HTML report's figures and page shell, the what-if logic, the web app."""
